package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** GNU timeout's duration grammar: pure logic. */
class DurationsTest {

  @Test
  void suffixesAndFractions() {
    assertThat(Durations.parse("5")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("0.5h")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse(".25")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void zeroMeansNoLimitHugeClampsTinyRoundsUp() {
    assertThat(Durations.parse("0")).isZero();
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse("1e300")).isEqualTo(Durations.MAX);
    assertThat(Durations.parse("inf")).isEqualTo(Durations.MAX);
    assertThat(Durations.parse("1e-12")).isEqualTo(Duration.ofNanos(1));
  }

  @Test
  void rejectsWhatIsNotADuration() {
    for (String bad : new String[] {"", "-1", "abc", "1x", "s", "nan", "1ss"}) {
      assertThatThrownBy(() -> Durations.parse(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid time interval");
    }
  }
}
