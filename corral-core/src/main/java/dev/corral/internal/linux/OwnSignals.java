package dev.corral.internal.linux;

import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The JVM's own signal dispositions, where Corral must touch them. */
final class OwnSignals {
  private OwnSignals() {}

  static final int SIGCHLD = 17;

  /**
   * If the JVM was started with SIGCHLD ignored (a caller's {@code trap '' CHLD} survives exec),
   * the kernel reaps children by itself: their status is lost and their pids are freed while the
   * run still counts on them. Restore the default, which is what a process with children needs.
   */
  static void keepChildrenWaitable() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment old = arena.allocate(PosixLibC.LAYOUT.SIGACTION);
      PosixLibC.sigaction(SIGCHLD, MemorySegment.NULL, old);
      if (PosixLibC.LAYOUT.saHandler(old) == PosixLibC.SIG_IGN) {
        MemorySegment dfl = arena.allocate(PosixLibC.LAYOUT.SIGACTION);
        PosixLibC.sigaction(SIGCHLD, dfl, MemorySegment.NULL);
      }
    }
  }

  /** Signals HotSpot relies on: ignoring them would break the JVM (USR2 suspends threads). */
  private static final java.util.Set<Integer> JVM_NEEDS = java.util.Set.of(4, 7, 8, 11, 12);

  /** Sets SIG_IGN for each signal the JVM can spare; returns those it cannot. */
  static java.util.Set<Integer> ignore(java.util.Set<Integer> signals) {
    java.util.Set<Integer> refused = new java.util.TreeSet<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ign = arena.allocate(PosixLibC.LAYOUT.SIGACTION);
      PosixLibC.LAYOUT.setSaHandler(ign, PosixLibC.SIG_IGN);
      for (int sig : signals) {
        if (JVM_NEEDS.contains(sig) || sig == 9 || sig == 19) {
          refused.add(sig);
        } else if (disposition(sig) != PosixLibC.SIG_IGN) {
          PosixLibC.sigaction(sig, ign, MemorySegment.NULL);
        }
      }
    }
    return refused;
  }

  /** The disposition of {@code sig}: {@link LibC#SIG_DFL}, {@link LibC#SIG_IGN} or a handler address. */
  static long disposition(int sig) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment old = arena.allocate(PosixLibC.LAYOUT.SIGACTION);
      PosixLibC.sigaction(sig, MemorySegment.NULL, old);
      return PosixLibC.LAYOUT.saHandler(old);
    }
  }

  /**
   * Ends this process by {@code sig}, as the shell's child it mirrors ended: core dumps off (the
   * dump would be the JVM's, not the child's), default action, unblocked on this thread, raised.
   * Returns only if {@code sig} does not end a process by default.
   */
  static void dieBy(int sig) {
    LibC.prctl(LibC.PR_SET_DUMPABLE, 0);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment dfl = arena.allocate(PosixLibC.LAYOUT.SIGACTION);
      PosixLibC.sigaction(sig, dfl, MemorySegment.NULL);
      MemorySegment set = arena.allocate(PosixLibC.LAYOUT.SIGSET);
      PosixLibC.LAYOUT.setSigset(set, PosixLibC.LAYOUT.sigsetWord(s -> s == sig));
      PosixLibC.pthreadSigmask(PosixLibC.SIG_UNBLOCK, set, MemorySegment.NULL);
      PosixLibC.raise(sig);
    }
  }
}
