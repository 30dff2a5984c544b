package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.internal.LeakWatch;
import dev.corral.internal.SnapshotWatch;
import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Finding the processes a stretch of code leaked, by cgroup membership (this machine runs as
 * root, so Corral can create cgroups) and by snapshots of descendants, with real escapes: a child
 * nobody waited for, a background job whose shell exited, a new session, a double fork.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessWatchTest {
  private final Trees tree = new Trees();

  @AfterEach
  void cleanUp() {
    tree.cleanUp();
  }

  private static String ownCgroup() throws Exception {
    return Files.readString(Path.of("/proc/self/cgroup"));
  }

  /** A child never waited for, a reparented job, a new session and a double-forked daemon. */
  private Process leakFourWays() throws Exception {
    Process child = new ProcessBuilder("sh", "-c", "exec " + tree.sleep).start();
    new ProcessBuilder("sh", "-c", tree.sleep + " > /dev/null 2>&1 & setsid " + tree.sleep
        + " > /dev/null 2>&1 & (setsid sh -c '" + tree.sleep + " > /dev/null 2>&1 &' &); sleep 0.1")
        .start().waitFor();
    assertThat(sleeps(4)).hasSize(4);
    return child;
  }

  /** The tree's processes once exactly {@code n} of them are sleeps and nothing else is, or after 3 s. */
  private List<Long> sleeps(int n) throws Exception {
    return tree.awaitSleeps(n, 3000, true);
  }

  @Test
  void theCgroupMethodFindsEveryEscapeAndEndsIt() throws Exception {
    String before = ownCgroup();
    try (ProcessWatch watch = ProcessWatch.start()) {
      assertThat(watch.method()).isEqualTo("cgroup");
      assertThat(ownCgroup()).as("the JVM moved into the watch's cgroup").contains("/watch-");
      leakFourWays();
      List<ProcessWatch.Leak> leaked = watch.leaked();
      assertThat(leaked).extracting(ProcessWatch.Leak::pid)
          .containsExactlyInAnyOrderElementsOf(tree.alive());
      assertThat(leaked).extracting(ProcessWatch.Leak::escape)
          .contains(ProcessWatch.Escape.CHILD, ProcessWatch.Escape.REPARENTED,
              ProcessWatch.Escape.NEW_SESSION);
      assertThat(leaked.get(0).toString()).contains("sleep 600.", "alive for");

      assertThat(watch.endLeaked(Duration.ofSeconds(2))).hasSize(4);
      assertThat(tree.awaitGone(2000)).isLessThan(2000);
      assertThat(watch.leaked()).isEmpty();
    }
    assertThat(ownCgroup()).as("the JVM is back where it was").isEqualTo(before);
  }

  @Test
  void runsCorralContainsDoNotCountAndReportOnlyLeavesLeaksAlone() throws Exception {
    String before = ownCgroup();
    Run contained;
    try (ProcessWatch watch = ProcessWatch.start()) {
      contained = Command.of("sh", "-c", "exec " + tree.sleep).start();
      Process leaked = new ProcessBuilder("sh", "-c", "exec " + tree.sleep).start();
      assertThat(sleeps(2)).hasSize(2);
      assertThat(watch.leaked()).extracting(ProcessWatch.Leak::pid).containsExactly(leaked.pid());
    }
    assertThat(ownCgroup()).isEqualTo(before);
    // awaitAlive: a process in the middle of its exec shows no command line for a moment.
    assertThat(tree.awaitAlive(2, 2000)).as("closing a watch ends nothing").hasSize(2);
    contained.close();
  }

  @Test
  void overlappingWatchesShareOneCgroupAndTheLastOneMovesTheJvmBack() throws Exception {
    String before = ownCgroup();
    ProcessWatch first = ProcessWatch.start();
    ProcessWatch second = ProcessWatch.start();
    new ProcessBuilder("sh", "-c", "exec " + tree.sleep).start();
    assertThat(sleeps(1)).hasSize(1);
    assertThat(second.leaked()).hasSize(1);
    first.close();
    assertThat(ownCgroup()).as("the second watch still holds the JVM").isNotEqualTo(before);
    assertThat(second.endLeaked(Duration.ofSeconds(1))).hasSize(1);
    second.close();
    assertThat(ownCgroup()).isEqualTo(before);
  }

  @Test
  void theDescendantsMethodFindsWhatItsLooksSaw() throws Exception {
    try (LeakWatch watch = new SnapshotWatch()) {
      assertThat(watch.method()).isEqualTo("descendants");
      Process child = new ProcessBuilder("sh", "-c", "exec " + tree.sleep).start();
      // The shell lives 300 ms, long enough for a look to see its job before it is reparented.
      new ProcessBuilder("sh", "-c", tree.sleep + " > /dev/null 2>&1 & sleep 0.3").start().waitFor();
      assertThat(sleeps(2)).hasSize(2);
      assertThat(watch.alive()).extracting(LeakWatch.Found::pid)
          .containsExactlyInAnyOrderElementsOf(tree.alive());
      assertThat(watch.end(Duration.ofSeconds(1))).isEmpty(); // TERM was enough
      assertThat(tree.awaitGone(2000)).isLessThan(2000);
      assertThat(child.isAlive()).isFalse();
    }
  }
}
