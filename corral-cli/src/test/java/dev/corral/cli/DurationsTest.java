package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** GNU timeout's duration grammar, strtod's syntax included: pure logic. */
class DurationsTest {

  @Test
  void suffixesAndFractions() {
    assertThat(Durations.parse("5")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("0.5h")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse(".25")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("10.34")).isEqualTo(Duration.ofMillis(10340));
  }

  @Test
  void strtodSyntax() {
    assertThat(Durations.parse(" 2")).as("leading white space").isEqualTo(Duration.ofSeconds(2));
    assertThat(Durations.parse("+3")).isEqualTo(Duration.ofSeconds(3));
    assertThat(Durations.parse("1e1")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("0x10")).as("hexadecimal").isEqualTo(Duration.ofSeconds(16));
    assertThat(Durations.parse("0x1p-1")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("-0")).as("negative zero is zero").isZero();
  }

  @Test
  void zeroMeansNoLimitHugeClampsTinyRoundsUp() {
    assertThat(Durations.parse("0")).isZero();
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse("1e300")).isEqualTo(Durations.MAX);
    assertThat(Durations.parse("inf")).isEqualTo(Durations.MAX);
    assertThat(Durations.parse("infinityd")).isEqualTo(Durations.MAX);
    assertThat(Durations.parse("9223372036854775808d")).isEqualTo(Durations.MAX);
    assertThat(Durations.parse("1.18973e+4932")).isEqualTo(Durations.MAX);
    assertThat(Durations.parse("1e-12")).isEqualTo(Duration.ofNanos(1));
    assertThat(Durations.parse("1e-10000")).as("underflow rounds up").isEqualTo(Duration.ofNanos(1));
  }

  @Test
  void rejectsWhatIsNotADuration() {
    for (String bad : new String[] {"", "-1", " -0.1", " -1e-10000", "-1.18973e+4932", "abc", "1x",
        "s", "nan", "1ss", "42D", "invalid", "1e", "inf x"}) {
      assertThatThrownBy(() -> Durations.parse(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid time interval");
    }
  }
}
