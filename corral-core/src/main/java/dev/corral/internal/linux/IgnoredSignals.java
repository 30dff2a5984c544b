package dev.corral.internal.linux;

import dev.corral.internal.ProcStat;
import dev.corral.internal.posix.OwnSignals;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The signals this JVM ignores, from its own /proc status (the stat line is cheaper but shows
 * only signals 1 to 31). A spawn whose child starts with every handler cleared by the kernel
 * (glibc 2.39+ spawns with clone3's CLONE_CLEAR_SIGHAND) then resets only these, one sigaction
 * each in the child, rather than all 64: about 13 µs less per spawn.
 *
 * <p>The status costs about 9 µs to make in a JVM, so it is read again only after {@link
 * #FRESH_NANOS} or once {@link OwnSignals#ignore} changed a disposition. Race: a signal that other
 * code (JNI, {@code sun.misc.Signal}) ignores reaches children spawned less than that later still
 * ignored, as every ProcessBuilder child would get it.
 */
final class IgnoredSignals {
  private IgnoredSignals() {}

  /** glibc's own SIGCANCEL and SIGSETXID: ignored in a child whose glibc resets by its own loop. */
  static final long GLIBC_INTERNAL = (1L << 31) | (1L << 32);

  static final long FRESH_NANOS = 100_000_000L;
  private static final int LENGTH = 4096;
  private static final int STATUS = open();

  private record Read(long mask, long atNanos, int changes) {}

  private static volatile Read last;

  private static int open() {
    try (Arena arena = Arena.ofConfined()) {
      int fd = LibC.open(arena.allocateFrom("/proc/self/status"), PosixLibC.O_RDONLY | PosixLibC.O_CLOEXEC, 0);
      return Math.max(fd, -1); // no /proc: every signal is reset
    }
  }

  /** Bit n-1 for signal n; every bit when the status cannot be read. */
  static long now(Arena arena) {
    Read read = last;
    long now = System.nanoTime();
    int changes = OwnSignals.changes();
    if (read != null && now - read.atNanos < FRESH_NANOS && read.changes == changes) {
      return read.mask;
    }
    if (STATUS < 0) {
      return -1;
    }
    MemorySegment status = arena.allocate(LENGTH);
    long n = PosixLibC.pread(STATUS, status, LENGTH, 0);
    long mask = n <= 0 ? -1 : ProcStat.ignoredSignals(status, (int) n);
    last = new Read(mask, now, changes);
    return mask;
  }
}
