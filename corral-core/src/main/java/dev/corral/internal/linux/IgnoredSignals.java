package dev.corral.internal.linux;

import dev.corral.internal.ProcStat;
import dev.corral.internal.posix.OwnSignals;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The signals this JVM ignores. A spawn whose child starts with every handler cleared by the
 * kernel (glibc 2.38+ spawns with clone3's CLONE_CLEAR_SIGHAND) then resets only these, one
 * sigaction each in the child, rather than all 64: about 13 µs less per spawn.
 *
 * <p>Signals 1 to 31 come from this JVM's stat line, read at every spawn (one pread of a
 * descriptor kept open, about 4 µs). The real-time ones show only in its status, which costs
 * about 9 µs to make, so that is read again only after {@link #FRESH_NANOS} or once {@link
 * OwnSignals#ignore} changed a disposition. Race: a real-time signal that other code (JNI,
 * {@code sun.misc.Signal}) ignores reaches children spawned less than that later still ignored,
 * as every ProcessBuilder child would get it.
 */
final class IgnoredSignals {
  private IgnoredSignals() {}

  /** glibc's own SIGCANCEL and SIGSETXID: ignored in a child whose glibc resets by its own loop. */
  static final long GLIBC_INTERNAL = (1L << 31) | (1L << 32);

  static final long FRESH_NANOS = 100_000_000L;
  private static final long UP_TO_31 = 0x7fffffffL;
  /** A JVM's stat line is about 320 bytes; its status about 1.4 KiB. */
  private static final int STAT_LENGTH = 1024;
  private static final int STATUS_LENGTH = 4096;
  private static final int STAT = open("/proc/self/stat");
  private static final int STATUS = open("/proc/self/status");

  private record Read(long mask, long atNanos, int changes) {}

  private static volatile Read realTime;

  private static int open(String path) {
    try (Arena arena = Arena.ofConfined()) {
      int fd = LibC.open(arena.allocateFrom(path), PosixLibC.O_RDONLY | PosixLibC.O_CLOEXEC, 0);
      return Math.max(fd, -1); // no /proc: every signal is reset
    }
  }

  /** Bit n-1 for signal n; every bit when /proc cannot tell. */
  static long now(Arena arena) {
    if (STAT < 0 || STATUS < 0) {
      return -1;
    }
    MemorySegment line = arena.allocate(STAT_LENGTH);
    long n = PosixLibC.pread(STAT, line, STAT_LENGTH, 0);
    long low = n <= 0 ? -1 : ProcStat.ignoredSignalsUpTo31(line, (int) n);
    if (low == -1) {
      return -1;
    }
    Read read = realTime;
    long now = System.nanoTime();
    int changes = OwnSignals.changes();
    if (read == null || now - read.atNanos >= FRESH_NANOS || read.changes != changes) {
      MemorySegment status = arena.allocate(STATUS_LENGTH); // only when read again
      n = PosixLibC.pread(STATUS, status, STATUS_LENGTH, 0);
      read = new Read(n <= 0 ? -1 : ProcStat.ignoredSignals(status, (int) n), now, changes);
      realTime = read;
    }
    return (low & UP_TO_31) | (read.mask & ~UP_TO_31);
  }
}
