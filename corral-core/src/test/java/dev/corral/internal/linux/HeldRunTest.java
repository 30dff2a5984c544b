package dev.corral.internal.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Output;
import dev.corral.Result;
import dev.corral.Teardown;
import dev.corral.internal.Child;
import dev.corral.internal.Outcome;
import dev.corral.internal.Platform;
import dev.corral.testing.NoLeftovers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A run started held (what {@code Command.run()} does on a platform thread) stays with its caller
 * until the caller's wait: a short command that leaves nothing is finished on that thread, and
 * anything else (a member left behind, a deadline, a cancel, a pipe) goes to the service thread
 * with its rules intact.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeldRunTest {

  /** The outcome, and the thread it was delivered on. */
  private static final class Delivered {
    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    volatile Thread thread;

    void accept(Outcome o) {
      thread = Thread.currentThread();
      outcome.complete(o);
    }

    Outcome get() throws Exception {
      return outcome.get(30, TimeUnit.SECONDS);
    }
  }

  private static Command quiet(Containment c, String... argv) {
    return Command.of(argv).containment(c).stdout(Output.discard()).stderr(Output.discard());
  }

  /** A shell script in a cgroup, its output captured (the default). */
  private static Command captured(String script) {
    return Command.of("sh", "-c", script).containment(Containment.CGROUP);
  }

  private static Child startHeld(Command command, Delivered delivered) {
    return Platform.get().start(command, true, delivered::accept);
  }

  @Test
  void aShortRunIsFinishedOnTheWaitingThread() throws Exception {
    for (String script : new String[] {"exit 3", "kill -9 $$"}) {
      Delivered d = new Delivered();
      Child child = startHeld(quiet(Containment.CGROUP, "sh", "-c", script), d);

      assertThat(child.awaitLeader(10_000)).isTrue();

      assertThat(d.outcome).isDone();
      assertThat(d.thread).isSameAs(Thread.currentThread());
      Outcome o = d.get();
      if (script.startsWith("exit")) {
        assertThat(o.exitCode()).isEqualTo(3);
      } else {
        assertThat(o.signal()).isEqualTo(LibC.SIGKILL);
      }
      assertThat(o.teardown().containment()).isEqualTo(Containment.CGROUP);
      assertThat(o.teardown().cause()).isEqualTo(Teardown.Cause.NONE);
      assertThat(o.teardown().survivors()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void aLeaderThatLeavesAMemberIsHandedOverAndTheMemberStopped(Containment c) throws Exception {
    Delivered d = new Delivered();
    Child child = startHeld(quiet(c, "sh", "-c", "sleep 30 & exit 0"), d);

    assertThat(child.awaitLeader(10_000)).isFalse();

    Outcome o = d.get();
    assertThat(o.exitCode()).isZero();
    assertThat(o.teardown().cause()).isEqualTo(Teardown.Cause.LEFTOVERS);
    assertThat(o.teardown().signalled()).isEqualTo(1);
    assertThat(d.thread).isNotSameAs(Thread.currentThread());
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void aDeadlineWithinTheWaitIsHandedOverBeforeItPasses(Containment c) throws Exception {
    Delivered d = new Delivered();
    long t0 = System.nanoTime();
    Child child = startHeld(quiet(c, "sleep", "30").deadline(Duration.ofMillis(300)), d);

    assertThat(child.awaitLeader(10_000)).isFalse();
    long handedOver = System.nanoTime() - t0;

    Outcome o = d.get();
    assertThat(Duration.ofNanos(handedOver)).as("the wait ended at the deadline, not after 10 s")
        .isLessThan(Duration.ofSeconds(2));
    assertThat(o.timedOut()).isTrue();
    assertThat(o.teardown().cause()).isEqualTo(Teardown.Cause.DEADLINE);
    assertThat(Duration.ofNanos(o.durationNanos())).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aCancelWhileHeldIsSentOnceTheRunIsHandedOver() throws Exception {
    Delivered d = new Delivered();
    Child child = startHeld(quiet(Containment.CGROUP, "sleep", "30"), d);
    // From another thread, as the JVM's shutdown would.
    Thread.ofPlatform().start(() -> child.cancel(LibC.SIGTERM, false)).join();

    long t0 = System.nanoTime();
    assertThat(child.awaitLeader(10_000)).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("no wait once cancelled")
        .isLessThan(Duration.ofSeconds(2));

    Outcome o = d.get();
    assertThat(o.cancelled()).isTrue();
    assertThat(o.signal()).isEqualTo(LibC.SIGTERM);
    assertThat(o.teardown().cause()).isEqualTo(Teardown.Cause.CANCEL);
  }

  @Test
  void aCancelDuringTheWaitIsSentWhenTheWaitEnds() throws Exception {
    Delivered d = new Delivered();
    Child child = startHeld(quiet(Containment.CGROUP, "sleep", "30"), d);
    Thread canceller = Thread.ofPlatform().start(() -> child.cancel(LibC.SIGTERM, false));

    assertThat(child.awaitLeader(300)).isFalse();
    canceller.join();

    Outcome o = d.get();
    assertThat(o.cancelled()).isTrue();
    assertThat(o.teardown().cause()).isEqualTo(Teardown.Cause.CANCEL);
  }

  @Test
  void capturedOutputIsReadOnTheWaitingThread() throws Exception {
    Delivered d = new Delivered();
    Child child = startHeld(captured("echo out; echo err >&2"), d);

    assertThat(child.awaitLeader(10_000)).isTrue();

    assertThat(d.thread).isSameAs(Thread.currentThread());
    Outcome o = d.get();
    assertThat(new String(o.stdout().bytes())).isEqualTo("out\n");
    assertThat(new String(o.stderr().bytes())).isEqualTo("err\n");
  }

  @Test
  void outputPastTheCaptureLimitIsDroppedOnTheWaitingThreadToo() throws Exception {
    Delivered d = new Delivered();
    Child child = startHeld(Command.of("head", "-c", "300000", "/dev/zero")
        .containment(Containment.CGROUP).stdout(Output.capture(1000)), d);

    assertThat(child.awaitLeader(10_000)).isTrue();

    Outcome o = d.get();
    assertThat(o.stdout().bytes()).hasSize(1000);
    assertThat(o.stdout().truncated()).isTrue();
  }

  @Test
  void outputArrivesWholeWhenTheRunIsHandedOverWhileItWrites() throws Exception {
    Delivered d = new Delivered();
    // Half before the holder's short wait ends, half after: the service thread reads the rest.
    Child child = startHeld(
        captured("head -c 1500000 /dev/zero; sleep 0.2; head -c 1500000 /dev/zero; echo done >&2"), d);

    assertThat(child.awaitLeader(50)).isFalse();

    Outcome o = d.get();
    assertThat(o.stdout().bytes()).hasSize(3_000_000);
    assertThat(new String(o.stderr().bytes())).isEqualTo("done\n");
    assertThat(d.thread).isNotSameAs(Thread.currentThread());
  }

  @Test
  void aRunWithAConsumerIsNotHeld() throws Exception {
    Delivered d = new Delivered();
    java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    Platform.get().start(Command.of("echo", "hi").containment(Containment.CGROUP)
        .stdout(Output.lines(lines::add)), true, d::accept);

    // Nobody waits in awaitLeader: the service thread has the run from the start.
    Outcome o = d.get();
    assertThat(o.exitCode()).isZero();
    assertThat(lines).containsExactly("hi");
  }

  @Test
  void aProcessGroupRunEndsWithItsExitCodeWhereverItIsFinished() throws Exception {
    // Finished on this thread when no pid was allocated since the leader's, else handed over:
    // either way the same outcome.
    Delivered d = new Delivered();
    Child child = startHeld(quiet(Containment.PROCESS_GROUP, "sh", "-c", "exit 4"), d);

    boolean here = child.awaitLeader(10_000);

    Outcome o = d.get();
    assertThat(o.exitCode()).isEqualTo(4);
    assertThat(o.teardown().cause()).isEqualTo(Teardown.Cause.NONE);
    assertThat(d.thread == Thread.currentThread()).isEqualTo(here);
  }

  @Test
  void pipesReadToTheirEndBeforeTheHandOverAreNotWatchedAgain() throws Exception {
    Delivered d = new Delivered();
    // Both pipes end at once; the leader lives on past the holder's wait.
    Child child = startHeld(captured("echo early; exec >&- 2>&-; sleep 0.3"), d);

    assertThat(child.awaitLeader(100)).isFalse();
    // Descriptors opened now may take the closed pipes' numbers: they must not reach the loop.
    try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/dev/zero"));
        var in2 = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/dev/zero"))) {
      Outcome o = d.get();
      assertThat(new String(o.stdout().bytes())).isEqualTo("early\n");
      assertThat(o.exitCode()).isZero();
    }
    Result after = Command.of("echo", "next").containment(Containment.CGROUP)
        .deadline(Duration.ofSeconds(10)).run();
    assertThat(after.stdoutText()).isEqualTo("next\n");
  }

  @Test
  void aDeadlineTooCloseForAWaitIsHandedOverAtOnce() throws Exception {
    Delivered d = new Delivered();
    Child child = startHeld(quiet(Containment.CGROUP, "sleep", "30").deadline(Duration.ofMillis(1)), d);

    assertThat(child.awaitLeader(10_000)).isFalse();

    Outcome o = d.get();
    assertThat(o.timedOut()).isTrue();
    assertThat(Duration.ofNanos(o.durationNanos())).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void runFromAVirtualThreadIsNotHeldAndGivesTheSameResult() throws Exception {
    Result[] r = new Result[1];
    Thread.ofVirtual().start(() -> r[0] = Command.of("sh", "-c", "echo v; exit 5")
        .containment(Containment.CGROUP).deadline(Duration.ofSeconds(10)).run()).join();

    assertThat(r[0].stdoutText()).isEqualTo("v\n");
    assertThat(r[0].exitCode()).hasValue(5);
  }
}
