package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Signals by name, with this OS's numbers (this host is Linux; other OSes run in OtherOsTest). */
class SignalTest {

  @Test
  void aNameMeansOneSignalHoweverItIsWritten() {
    assertThat(Signal.of("TERM")).isEqualTo(Signal.TERM);
    assertThat(Signal.of("sigterm")).isEqualTo(Signal.TERM);
    assertThat(Signal.of(" Term ")).isEqualTo(Signal.TERM);
    assertThat(Signal.of("15")).isEqualTo(Signal.TERM);
    assertThat(Signal.of(15)).isEqualTo(Signal.TERM);
    assertThat(Signal.of("IOT")).isEqualTo(Signal.ABRT);
    assertThat(Signal.of("0")).isSameAs(Signal.NONE);
    assertThat(Signal.of(0)).isSameAs(Signal.NONE);
    assertThat(new java.util.HashSet<>(java.util.List.of(Signal.of("int"), Signal.INT))).hasSize(1);
  }

  @Test
  void numbersAreThisOsOnes() {
    assertThat(Signal.CHLD.number()).hasValue(17);
    assertThat(Signal.KILL.number()).hasValue(9);
    assertThat(Signal.NONE.number()).hasValue(0);
    assertThat(Signal.of("RTMIN+2").number()).hasValue(36);
    assertThat(Signal.TERM).hasToString("SIGTERM (15)");
  }

  @Test
  void aSignalOnlyAnotherOsHasIsNamedButNotDeliveredHere() {
    Signal info = Signal.of("SIGINFO"); // macOS and the BSDs
    assertThat(info.name()).isEqualTo("INFO");
    assertThat(info.number()).isEmpty();
    assertThat(info).hasToString("SIGINFO");
    assertThatThrownBy(() -> Command.of("true").stopSignal(info))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SIGINFO cannot be delivered on Linux");
    assertThatThrownBy(() -> Command.of("true").keepIgnored(Set.of(info)))
        .hasMessage("SIGINFO cannot be delivered on Linux");
  }

  @Test
  void badNamesAndNumbersAreRefusedClearly() {
    assertThatThrownBy(() -> Signal.of("NOPE")).hasMessage("not a signal name: NOPE");
    assertThatThrownBy(() -> Signal.of(65)).hasMessage("not a signal: 65");
    assertThatThrownBy(() -> Signal.of(-1)).hasMessage("not a signal: -1");
    assertThatThrownBy(() -> Command.of("true").keepIgnored(Set.of(Signal.NONE)))
        .hasMessage("keepIgnored: signal 0 cannot be ignored");
  }

  @Test
  void aCommandKeepsItsSignalsByName() {
    Command c = Command.of("true").stopSignal("INT").keepIgnored(Set.of(Signal.HUP, Signal.QUIT));
    assertThat(c.stopSignal()).isEqualTo(Signal.INT);
    assertThat(c.keepIgnored()).containsExactlyInAnyOrder(Signal.HUP, Signal.QUIT); // Set.of has no order
    assertThat(Command.of("true").stopSignal()).isEqualTo(Signal.TERM);
  }

  /** Blocked signals reach the command as asked, on every native path; the rest start unblocked. */
  @Test
  void keptBlockedSignalsStartBlocked() {
    for (Containment c : new Containment[] {Containment.AUTO, Containment.PROCESS_GROUP}) {
      Result r = Command.of("grep", "^SigBlk", "/proc/self/status").containment(c)
          .keepBlocked(Set.of(Signal.USR1, Signal.TERM)).run();
      assertThat(r.stdoutText()).as(c.toString()).isEqualTo("SigBlk:\t0000000000004200\n");
      assertThat(Command.of("grep", "^SigBlk", "/proc/self/status").containment(c).run().stdoutText())
          .isEqualTo("SigBlk:\t0000000000000000\n");
    }
    assertThatThrownBy(() -> Command.of("true").keepBlocked(Set.of(Signal.KILL)))
        .hasMessage("keepBlocked: SIGKILL (9) cannot be blocked");
    assertThatThrownBy(() -> Command.of("true").keepBlocked(Set.of(Signal.USR1))
        .containment(Containment.PORTABLE).run())
        .isInstanceOf(CorralException.class).hasMessageContaining("cannot start a command with signals blocked");
  }
}
