package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.testing.NoLeftovers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A run with no stdin to feed is handed to the service thread without waking it: the caller's
 * thread puts the run's pidfd and output pipes in the epoll set, and their first event wakes the
 * loop. Its deadline must hold all the same, whether the loop sleeps until an event or until a
 * later run's deadline, and its output must arrive whole.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuietStartTest {

  private static Command quiet(Containment c, String... argv) {
    return Command.of(argv).containment(c).stdout(Output.discard()).stderr(Output.discard());
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void aDeadlineHoldsWhenNothingElseWouldWakeTheServiceThread(Containment c) {
    long t0 = System.nanoTime();
    Result r = quiet(c, "sleep", "20").deadline(Duration.ofMillis(300)).run();
    assertThat(r.timedOut()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void aDeadlineHoldsWhileTheServiceThreadSleepsUntilALaterOne(Containment c) {
    try (Run later = quiet(c, "sleep", "30").deadline(Duration.ofSeconds(20)).start()) {
      // The later run's deadline makes the loop sleep until it; this run's comes first.
      long t0 = System.nanoTime();
      Result r = quiet(c, "sleep", "20").deadline(Duration.ofMillis(300)).run();
      assertThat(r.timedOut()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(later.isAlive()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void capturedOutputArrivesWholeAfterAQuietStart(Containment c) {
    Result r = Command.of("sh", "-c", "head -c 3000000 /dev/zero; echo done >&2")
        .containment(c).deadline(Duration.ofSeconds(20)).run();
    assertThat(r.exitCode()).hasValue(0);
    assertThat(r.stdout()).hasSize(3_000_000);
    assertThat(r.stderrText()).isEqualTo("done\n");
  }
}
