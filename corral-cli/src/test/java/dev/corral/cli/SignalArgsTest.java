package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Signal operands as GNU timeout reads them, and names as it prints them: pure logic. */
class SignalArgsTest {

  @Test
  void namesInAnyCaseWithOrWithoutSig() {
    assertThat(SignalArgs.parse("TERM")).isEqualTo(15);
    assertThat(SignalArgs.parse("sigterm")).isEqualTo(15);
    assertThat(SignalArgs.parse("usr1")).isEqualTo(10);
    assertThat(SignalArgs.parse("KILL")).isEqualTo(9);
    assertThat(SignalArgs.parse("RTMIN+2")).isEqualTo(36);
    assertThat(SignalArgs.parse("EXIT")).isZero();
  }

  @Test
  void numbersIncludingShellStatuses() {
    assertThat(SignalArgs.parse("0")).isZero();
    assertThat(SignalArgs.parse("9")).isEqualTo(9);
    assertThat(SignalArgs.parse("137")).as("128 + KILL, as $? shows it").isEqualTo(9);
    assertThat(SignalArgs.parse("271")).as("ksh's 256 + TERM").isEqualTo(15);
  }

  @Test
  void rejectsWhatIsNoSignal() {
    for (String bad : new String[] {"", "NOPE", " TERM", "65", "-1", "9x", "SIG"}) {
      assertThatThrownBy(() -> SignalArgs.parse(bad)).as(bad).hasMessageEndingWith(": invalid signal");
    }
  }

  @Test
  void printsNamesWithoutSigAndNumbersForTheUnnamed() {
    assertThat(SignalArgs.name(15)).isEqualTo("TERM");
    assertThat(SignalArgs.name(0)).isEqualTo("0");
    assertThat(SignalArgs.name(32)).isEqualTo("32");
  }
}
