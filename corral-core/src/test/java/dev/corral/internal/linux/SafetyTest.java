package dev.corral.internal.linux;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.internal.posix.PosixLibC;
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
    for (int target : new int[] {-1, 0, 1, -SELF, SELF, -PosixLibC.getpgrp(), PosixLibC.getpgrp(),
        -PosixLibC.getsid(0), PosixLibC.getsid(0)}) {
      assertThatThrownBy(() -> PosixLibC.kill(target, LibC.SIGKILL))
          .as("kill(%d)", target).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("refusing to signal");
    }
  }

  @Test
  void pidfdSignalRefusesItselfEvenThroughAValidPidfd() {
    int pidfd = LibC.pidfdOpen(SELF);
    try {
      // The same guard as kill's (PosixLibC.GUARD): every target it refuses, this path refuses.
      for (int target : new int[] {-1, 0, 1, SELF, PosixLibC.getpgrp(), PosixLibC.getsid(0)}) {
        assertThatThrownBy(() -> LibC.pidfdSendSignal(pidfd, target, LibC.SIGKILL))
            .as("pidfd_send_signal(%d)", target).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("refusing to signal");
      }
    } finally {
      PosixLibC.close(pidfd);
    }
  }
}
