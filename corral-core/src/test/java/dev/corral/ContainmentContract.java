package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Trees;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every escape route, written once and run per containment layer by a subclass. Each test starts
 * a real tree, lets the deadline (or the leader's exit) end it, and then scans the process table
 * for anything carrying the tree's nonce: there must be nothing.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ContainmentContract {
  final Trees tree = new Trees();

  abstract Containment containment();

  @AfterEach
  void endWhatEscaped() {
    tree.cleanUp();
  }

  Command sh(String script) {
    // "ready" on stdout tells the test the tree is built; the deadline is long enough for that.
    return Command.of("/bin/sh", "-c", script).containment(containment()).grace(Duration.ofMillis(300));
  }

  Result runUntilDeadline(String script) {
    // The leader itself stays until the deadline, whatever the script left behind.
    Result r = sh(script + "\necho ready; exec " + tree.sleep).deadline(Duration.ofMillis(700)).run();
    assertThat(r.stdoutText()).as("the tree was built before the deadline").contains("ready");
    assertThat(r.timedOut()).isTrue();
    return r;
  }

  void assertContained(Result r) {
    assertThat(r.teardown().containment()).isEqualTo(containment());
    assertThat(r.teardown().survivors()).isEmpty();
    assertThat(tree.alive()).as("processes of the tree still alive").isEmpty();
  }

  @Test
  void backgroundJobsPipelinesAndNohup() {
    String s = tree.sleep;
    Result r = runUntilDeadline(s + " & " + s + " | cat & nohup " + s + " >/dev/null 2>&1 &");
    assertContained(r);
    assertThat(r.teardown().signalled()).isGreaterThanOrEqualTo(4);
  }

  @Test
  void setsidAndNewProcessGroup() {
    String s = tree.sleep;
    assertContained(runUntilDeadline("setsid " + s + " &\nset -m; " + s + " &\nset +m"));
  }

  @Test
  void doubleForkDaemon() {
    assertContained(runUntilDeadline("(" + tree.sleep + " &) &"));
  }

  @Test
  void doubleForkThatClearsItsEnvironment() {
    assertContained(runUntilDeadline("setsid sh -c '(env -i " + tree.sleep + " &) &' ; sleep 0.1"));
  }

  @Test
  void childIgnoringTermNeedsKill() {
    Result r = runUntilDeadline("sh -c \"trap '' TERM; " + tree.sleep + "\" &");
    assertContained(r);
    assertThat(r.teardown().neededKill()).isNotEmpty();
  }

  @Test
  void stoppedChild() {
    Result r = runUntilDeadline(tree.sleep + " & kill -STOP $!");
    assertContained(r);
    assertThat(r.teardown().neededKill()).as("SIGCONT let the stopped child act on TERM").isEmpty();
  }

  @Test
  void chainOfFortyLevels() {
    // Each level starts the next in the background, then becomes a sleeper: a 41-deep chain.
    String chain = "n=$1; if [ $n -gt 0 ]; then sh -c \"$CHAIN\" sh $((n-1)) & fi; exec " + tree.sleep;
    Result r = sh("sh -c \"$CHAIN\" sh 40 &\n while [ $(pgrep -c -f '^" + tree.sleep
        + "') -lt 41 ]; do sleep 0.01; done; echo ready; wait")
        .env("CHAIN", chain).deadline(Duration.ofSeconds(10)).run();
    assertThat(r.stdoutText()).contains("ready");
    assertContained(r);
    assertThat(r.teardown().signalled()).isGreaterThanOrEqualTo(41);
  }

  @Test
  void fourHundredSiblings() {
    Result r = sh("i=0; while [ $i -lt 400 ]; do " + tree.sleep + " &\n i=$((i+1)); done; echo ready; wait")
        .deadline(Duration.ofSeconds(5)).run();
    assertThat(r.stdoutText()).contains("ready");
    assertContained(r);
    assertThat(r.teardown().signalled()).isGreaterThanOrEqualTo(400);
  }

  @Test
  void forkLoopDuringTheStop() {
    // Ignores TERM and keeps forking through the grace period; bounded to 2,000 children.
    Result r = sh("trap '' TERM; i=0; echo ready; while [ $i -lt 2000 ]; do " + tree.sleep
        + " &\n i=$((i+1)); done; wait").deadline(Duration.ofMillis(200)).run();
    assertContained(r);
  }

  @Test
  void grandchildHoldingStdoutAfterTheLeaderExits() {
    Result r = sh(tree.sleep + " & echo leader done").deadline(Duration.ofSeconds(30)).run();
    assertThat(r.stdoutText()).isEqualTo("leader done\n");
    assertThat(r.exitCode()).hasValue(0);
    assertThat(r.timedOut()).isFalse();
    assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.LEFTOVERS);
    assertThat(r.duration()).isLessThan(Duration.ofSeconds(10));
    assertContained(r);
  }

  @Test
  void leaderExitsEarlyAndLeavesDaemons() {
    Result r = sh("setsid " + tree.sleep + " &\n(" + tree.sleep + " &); exit 3").run();
    assertThat(r.exitCode()).hasValue(3);
    assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.LEFTOVERS);
    assertContained(r);
  }

  @Test
  void leftoversCanBeLeftRunning() {
    Result r = sh(tree.sleep + " >/dev/null 2>&1 &\nexit 0").leftovers(Command.Leftovers.LEAVE_RUNNING).run();
    assertThat(r.teardown().leftRunning()).hasSize(1);
    assertThat(tree.alive()).hasSize(1);
  }

  @Test
  void leftoversCanBeAwaitedUpToTheDeadline() {
    Result r = sh("sleep 0.2 >/dev/null &\nexit 0").leftovers(Command.Leftovers.AWAIT)
        .deadline(Duration.ofSeconds(20)).run();
    assertThat(r.exitCode()).hasValue(0);
    assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.NONE);
    assertThat(r.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS) // the soak profile runs it 1,000 times
  void childExitingAsTheDeadlineFires() {
    // ./check -Psoak repeats the race many more times.
    int rounds = Boolean.getBoolean("corral.soak") ? 1000 : 20;
    for (int i = 0; i < rounds; i++) {
      Result r = sh("sleep 0.05").deadline(Duration.ofMillis(50)).run();
      // Either the leader beat the deadline (exit 0, not timed out), or the deadline found it
      // running: then it is reported as timed out, whether TERM or its own exit ended it.
      assertThat(r.timedOut() || r.exitCode().orElse(-1) == 0).as("consistent result: %s", r).isTrue();
      assertThat(r.teardown().cause())
          .isEqualTo(r.timedOut() ? Teardown.Cause.DEADLINE : Teardown.Cause.NONE);
      assertContained(r);
    }
  }

  @Test
  void everythingWrittenBeforeDeathIsCaptured() {
    Result r = runUntilDeadline("(echo from-grandchild; " + tree.sleep + ") &");
    assertThat(r.stdoutText()).contains("from-grandchild").contains("ready");
    assertContained(r);
  }

  /** Starts {@code script}, which must print "ready" once its traps are set, and waits for that. */
  Run startReady(Command command) throws InterruptedException {
    java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
    StringBuffer out = new StringBuffer();
    Run run = command.stdout(Output.lines(line -> {
      out.append(line).append('\n');
      if (line.equals("ready")) {
        ready.countDown();
      }
    })).start();
    assertThat(ready.await(20, TimeUnit.SECONDS)).as("the tree said ready").isTrue();
    return run;
  }

  @Test
  void cancelWithASignalForwardsThatSignalToTheWholeTree(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path got = dir.resolve("got");
    String member = "sh -c 'trap \"echo USR1 >> " + got + "; exit 0\" USR1; echo ready; while :; do sleep 0.05; done'";
    Run run = startReady(sh("setsid " + member + " &\n trap 'exit 5' USR1; while :; do sleep 0.05; done"));
    run.cancel(Signal.USR1);
    Result r = run.await();
    assertThat(r.cancelled()).isTrue();
    assertThat(r.exitCode()).hasValue(5);
    assertThat(java.nio.file.Files.readString(got)).isEqualTo("USR1\n");
    assertContained(r);
  }

  @Test
  void unboundedGraceWaitsForTheLeaderThenKillsWhatItLeft() {
    // The leader takes its time over TERM (GNU timeout without -k waits for it); its child ignores
    // TERM and is killed once the leader is gone.
    Result r = sh("sh -c \"trap '' TERM; " + tree.sleep + "\" &\ntrap 'sleep 0.5; exit 7' TERM\necho ready; "
        + "while :; do sleep 0.05; done").grace(Command.UNBOUNDED_GRACE).deadline(Duration.ofMillis(700)).run();
    assertThat(r.timedOut()).isTrue();
    assertThat(r.exitCode()).as("the leader was not killed").hasValue(7);
    assertThat(r.teardown().neededKill()).isNotEmpty();
    assertContained(r);
  }

  /**
   * A tree that stays in its leader's process group gets the stop signal all at once, as a group
   * signal: every member then, and not the child the leader's trap forks afterwards.
   */
  @Test
  void theStopSignalReachesWhoWasThereAndNotWhatTheTrapStartsAfter() throws Exception {
    java.util.List<String> lines = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
    Run run = sh(tree.sleep + " &\ntrap 'sh -c \"sleep 0.2; echo trap-child-ran\"; exit 3' TERM\n"
        + "echo ready; wait").grace(Duration.ofSeconds(10)).stdout(Output.lines(line -> {
          lines.add(line);
          if (line.equals("ready")) {
            ready.countDown();
          }
        })).start();
    assertThat(ready.await(20, TimeUnit.SECONDS)).isTrue();
    run.cancel();
    Result r = run.await();
    assertThat(r.exitCode()).as("the trap ran to its end").hasValue(3);
    assertThat(lines).as("the trap's child was not signalled").contains("trap-child-ran");
    assertThat(r.teardown().neededKill()).isEmpty();
    assertContained(r);
  }

  @Test
  void stopSignalZeroSendsNothingUntilKill() {
    Result r = runUntilDeadlineWith(sh("trap 'exit 9' TERM\necho ready; exec " + tree.sleep).stopSignal(Signal.NONE));
    assertThat(r.signal()).as("only SIGKILL ended it").contains(Signal.KILL);
    assertContained(r);
  }

  Result runUntilDeadlineWith(Command c) {
    Result r = c.deadline(Duration.ofMillis(500)).run();
    assertThat(r.stdoutText()).contains("ready");
    return r;
  }

  @Test
  void foregroundKeepsTheCallersSession() {
    Result r = sh("cut -d' ' -f6 /proc/$$/stat; echo ready; " + tree.sleep + " & setsid " + tree.sleep + " & exec " + tree.sleep)
        .foreground(true).deadline(Duration.ofMillis(700)).run();
    long ownSession = Long.parseLong(r.stdoutText().lines().findFirst().orElseThrow().strip());
    assertThat(ownSession).isEqualTo(dev.corral.testing.Self.session());
    assertThat(r.timedOut()).isTrue();
    assertContained(r);
  }
}
