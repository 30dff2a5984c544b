package dev.corral.internal.linux;

import dev.corral.internal.ProcStat;
import dev.corral.internal.posix.PosixLibC;

/** Signals a process found in a /proc snapshot only if it is still the same process. */
final class Pidfds {
  private Pidfds() {}

  /**
   * Opens a pidfd for {@code seen.pid()}, then re-reads its start time: if it matches, the pidfd
   * names the process that was seen (a pidfd cannot change target), and the signal goes through
   * it. A pid recycled since the snapshot is left alone. Returns true when the signal was sent.
   */
  static boolean signalIfSame(ProcStat seen, int signal) {
    int pidfd = LibC.pidfdOpen(seen.pid());
    if (pidfd < 0) {
      return false; // gone already
    }
    try {
      ProcStat now = ProcTable.stat(seen.pid());
      if (now == null || now.startTime() != seen.startTime()) {
        return false;
      }
      return LibC.pidfdSendSignal(pidfd, seen.pid(), signal) == 0;
    } finally {
      PosixLibC.close(pidfd);
    }
  }
}
