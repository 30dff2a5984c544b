package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.internal.Platform;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The escape routes against the portable tier (ProcessBuilder and ProcessHandle snapshots, no
 * native call). Where it is documented to miss, the test proves the miss is real, so that the
 * documentation stays honest, and a variant shows what it does catch.
 */
class PortableContainmentTest extends ContainmentContract {

  @Override
  Containment containment() {
    return Containment.PORTABLE;
  }

  /**
   * Runs {@code attempt} until the tree escaped, up to three times, cleaning up between: a
   * snapshot (every 50 ms) lands in a window of a few milliseconds only rarely, so one escape in
   * three tries proves the miss and never fails by chance.
   */
  private Result escapes(Supplier<Result> attempt) {
    Result r = null;
    for (int i = 0; i < 3; i++) {
      r = attempt.get();
      assertThat(r.teardown().containment()).isEqualTo(Containment.PORTABLE);
      assertThat(r.teardown().survivors()).as("it does not know what escaped").isEmpty();
      if (!tree.alive().isEmpty()) {
        tree.cleanUp();
        return r;
      }
    }
    throw new AssertionError("the documented escape did not happen in 3 tries: " + r);
  }

  /** Documented miss: the intermediate parent dies before any snapshot sees its child. */
  @Override
  @Test
  void doubleForkDaemon() {
    escapes(() -> runUntilDeadline("(" + tree.sleep + " &) &"));
  }

  /** Documented miss: a setsid daemon reparented before a snapshot, environment scrubbed too. */
  @Override
  @Test
  void doubleForkThatClearsItsEnvironment() {
    escapes(() -> runUntilDeadline("setsid sh -c '(env -i " + tree.sleep + " &) &' ; sleep 0.1"));
  }

  /** What it catches: the same daemon, once its parent lived past a snapshot. */
  @Test
  void doubleForkWhoseParentLivesPastASnapshotIsContained() {
    assertContained(runUntilDeadline("(" + tree.sleep + " & sleep 0.3) &\nsleep 0.3"));
  }

  /** Documented miss: the leader exits right after forking, before a snapshot saw the child. */
  @Override
  @Test
  void leaderExitsEarlyAndLeavesDaemons() {
    Result r = escapes(() -> sh("setsid " + tree.sleep + " &\n(" + tree.sleep + " &); exit 3").run());
    assertThat(r.exitCode()).hasValue(3);
  }

  @Test
  void leftoversOfALeaderThatLivedPastASnapshotAreStopped() {
    Result r = sh("setsid " + tree.sleep + " &\n(" + tree.sleep + " & sleep 0.3); exit 3").run();
    assertThat(r.exitCode()).hasValue(3);
    assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.LEFTOVERS);
    assertContained(r);
  }

  /**
   * Documented miss: the grandchild is unknown, so the run ends with the leader; the output it
   * holds does not hang the run: the drain bound gives up on the pipe.
   */
  @Override
  @Test
  void grandchildHoldingStdoutAfterTheLeaderExits() {
    Result r = escapes(() -> sh(tree.sleep + " & echo leader done").deadline(Duration.ofSeconds(30)).run());
    assertThat(r.stdoutText()).isEqualTo("leader done\n");
    assertThat(r.exitCode()).hasValue(0);
    assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.NONE);
    assertThat(r.duration()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aKnownGrandchildHoldingStdoutIsStoppedAndItsOutputRead() {
    Result r = sh("(sleep 0.2; echo grandchild; exec " + tree.sleep + ") & sleep 0.3; echo leader done")
        .deadline(Duration.ofSeconds(30)).run();
    assertThat(r.stdoutText()).isEqualTo("grandchild\nleader done\n");
    assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.LEFTOVERS);
    assertThat(r.duration()).isLessThan(Duration.ofSeconds(10));
    assertContained(r);
  }

  /**
   * Documented miss: a leftover forked just before the leader's exit is not known to leave. Left
   * running on purpose, it is alive whether known or not, so {@link #escapes}' test (something is
   * still alive) cannot tell the miss: a try that did know it (a snapshot landed in the moment
   * between the fork and the exit) is tried again, as escapes does.
   */
  @Override
  @Test
  void leftoversCanBeLeftRunning() {
    for (int i = 0; i < 3; i++) {
      Result r = sh(tree.sleep + " >/dev/null 2>&1 &\nexit 0")
          .leftovers(Command.Leftovers.LEAVE_RUNNING).run();
      boolean alive = !tree.alive().isEmpty();
      tree.cleanUp();
      assertThat(r.teardown().survivors()).as("it does not know what escaped").isEmpty();
      if (alive && r.teardown().leftRunning().isEmpty()) {
        return;
      }
    }
    throw new AssertionError("the documented miss did not happen in 3 tries");
  }

  @Test
  void knownLeftoversCanBeLeftRunning() {
    Result r = sh(tree.sleep + " >/dev/null 2>&1 &\nsleep 0.3; exit 0")
        .leftovers(Command.Leftovers.LEAVE_RUNNING).run();
    assertThat(r.teardown().leftRunning()).hasSize(1);
    assertThat(tree.alive()).hasSize(1);
  }

  /**
   * What it catches: a leftover a snapshot saw is awaited. One forked just before the leader's
   * exit is not known (the miss {@link #leftoversCanBeLeftRunning} proves).
   */
  @Override
  @Test
  void leftoversCanBeAwaitedUpToTheDeadline() {
    Result r = sh("sleep 0.5 >/dev/null &\nsleep 0.2; exit 0").leftovers(Command.Leftovers.AWAIT)
        .deadline(Duration.ofSeconds(20)).run();
    assertThat(r.exitCode()).hasValue(0);
    assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.NONE);
    assertThat(r.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
  }

  /** A limit: nothing sends SIGCONT, and a stopped process acts on TERM only once continued. */
  @Override
  @Test
  void stoppedChild() {
    Result r = runUntilDeadline(tree.sleep + " & kill -STOP $!");
    assertContained(r);
    assertThat(r.teardown().neededKill()).as("the stopped child needed KILL").hasSize(1);
  }

  /** Not a miss but a limit: the JDK sends only TERM and KILL, so cancel(USR1) is refused. */
  @Override
  @Test
  void cancelWithASignalForwardsThatSignalToTheWholeTree(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    Run run = startReady(sh("trap 'exit 5' TERM; echo ready; while :; do sleep 0.05; done"));
    try {
      assertThatThrownBy(() -> run.cancel(Signal.USR1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot send SIGUSR1").hasMessageContaining("TERM")
          .hasMessageContaining("KILL");
      assertThat(run.isAlive()).as("a refused cancel leaves the run alone").isTrue();
      run.cancel(Signal.TERM);
      Result r = run.await();
      assertThat(r.cancelled()).isTrue();
      assertThat(r.exitCode()).hasValue(5);
      assertContained(r);
    } finally {
      run.close();
    }
  }

  @Test
  void aStopSignalTheJdkCannotSendFailsTheStart() {
    assertThatThrownBy(() -> sh("exit 0").stopSignal("INT").start())
        .isInstanceOfSatisfying(CorralException.class, e ->
            assertThat(e.reason()).isEqualTo(CorralException.Reason.CONTAINMENT_UNAVAILABLE))
        .hasMessageContaining("cannot send the stop signal SIGINT");
    assertThat(sh("exit 0").stopSignal("KILL").run().exitCode()).hasValue(0);
  }

  @Test
  void theCapabilitySaysWhatItCannotCatch() {
    Capability c = Platform.get().capability(Containment.PORTABLE);
    assertThat(c.available()).isTrue();
    assertThat(c.detail()).contains("best effort").contains("double fork").contains("setsid")
        .contains("Windows").contains("broke away");
    assertThat(Capability.probe()).extracting(Capability::name).contains("portable");
  }
}
