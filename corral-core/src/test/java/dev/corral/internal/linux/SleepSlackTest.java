package dev.corral.internal.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The service thread's sleep until its next timer, as pure logic. Linux lets epoll_wait's
 * timeout expire late by 0.1% of its length, capped at 100 ms (select_estimate_accuracy): slept in
 * one go, the first deadline after 8 idle seconds came 8.5 ms late.
 */
class SleepSlackTest {

  /** The latest the kernel may end a sleep of {@code millis}. */
  private static long latestWakeNanos(int millis) {
    long nanos = millis * 1_000_000L;
    return nanos + Math.min(nanos / 1000, 100_000_000L);
  }

  @Test
  void aLongSleepEndsBeforeItsTimerWhateverTheKernelsSlack() {
    for (long wait : new long[] {1_000_000_000L, 8_000_000_000L, 60_000_000_000L, 86_400_000_000_000L}) {
      assertThat(latestWakeNanos(Supervisor.sleepMillis(wait))).as("a timer %d ns away", wait)
          .isLessThan(wait);
    }
  }

  @Test
  void theRestIsSleptWithinAMillisecondOfTheTimer() {
    for (long wait = 1; wait <= 2_000_000_000L; wait = wait * 3 + 7) {
      int millis = Supervisor.sleepMillis(wait);
      long rest = wait;
      // Each sleep ends early or on time; the one that reaches the timer is short.
      while (latestWakeNanos(millis) < rest) {
        rest -= millis * 1_000_000L;
        millis = Supervisor.sleepMillis(rest);
      }
      assertThat(latestWakeNanos(millis) - rest).as("late after a timer %d ns away", wait)
          .isLessThan(1_050_000L);
    }
  }

  @Test
  void aShortSleepIsNotShortened() {
    assertThat(Supervisor.sleepMillis(1)).isEqualTo(1);
    assertThat(Supervisor.sleepMillis(10_000_000L)).isEqualTo(10);
    assertThat(Supervisor.sleepMillis(20_000_000L)).isEqualTo(20);
  }
}
