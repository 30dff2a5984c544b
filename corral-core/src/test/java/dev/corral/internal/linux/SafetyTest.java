package dev.corral.internal.linux;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The signal path itself refuses forbidden targets: the checks run before kill(2) is called, so
 * these calls, if the guard failed, would signal this very JVM or everything; the test process
 * surviving to assert is part of the proof.
 */
class SafetyTest {
  private static final int SELF = (int) ProcessHandle.current().pid();

  @Test
  void killRefusesEveryoneInitAndItself() {
    for (int target : new int[] {-1, 0, 1, -SELF, SELF, -LibC.getpgrp(), LibC.getpgrp(),
        -LibC.getsid(0), LibC.getsid(0)}) {
      assertThatThrownBy(() -> LibC.kill(target, LibC.SIGKILL))
          .as("kill(%d)", target).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("refusing to signal");
    }
  }

  @Test
  void pidfdSignalRefusesItselfEvenThroughAValidPidfd() {
    int pidfd = LibC.pidfdOpen(SELF);
    try {
      assertThatThrownBy(() -> LibC.pidfdSendSignal(pidfd, SELF, LibC.SIGKILL))
          .isInstanceOf(IllegalArgumentException.class);
    } finally {
      LibC.close(pidfd);
    }
  }
}
