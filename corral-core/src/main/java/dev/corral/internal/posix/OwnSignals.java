package dev.corral.internal.posix;

import dev.corral.internal.Signals;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The JVM's own signal dispositions, where Corral must touch them. Numbers from {@link Signals}. */
public final class OwnSignals {
  private OwnSignals() {}

  private static final Signals SIGNALS = Signals.current();
  public static final int SIGCHLD = SIGNALS.numberOf("CHLD");

  /**
   * If the JVM was started with SIGCHLD ignored (a caller's {@code trap '' CHLD} survives exec),
   * the kernel reaps children by itself: their status is lost and their pids are freed while the
   * run still counts on them. Restore the default, which is what a process with children needs.
   */
  public static void keepChildrenWaitable() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment old = arena.allocate(PosixLibC.LAYOUT.SIGACTION);
      PosixLibC.sigaction(SIGCHLD, MemorySegment.NULL, old);
      if (PosixLibC.LAYOUT.saHandler(old) == PosixLibC.SIG_IGN) {
        MemorySegment dfl = arena.allocate(PosixLibC.LAYOUT.SIGACTION);
        PosixLibC.sigaction(SIGCHLD, dfl, MemorySegment.NULL);
      }
    }
  }

  /**
   * Signals HotSpot relies on: ignoring them would break the JVM (USR2 suspends threads); KILL
   * and STOP cannot be ignored at all.
   */
  private static final java.util.Set<Integer> REFUSED = java.util.Set.of(
      SIGNALS.numberOf("ILL"), SIGNALS.numberOf("BUS"), SIGNALS.numberOf("FPE"),
      SIGNALS.numberOf("SEGV"), SIGNALS.numberOf("USR2"), SIGNALS.numberOf("KILL"),
      SIGNALS.numberOf("STOP"));

  private static final java.util.concurrent.atomic.AtomicInteger CHANGES = new java.util.concurrent.atomic.AtomicInteger();

  /** How many times {@link #ignore} changed a disposition: a spawn's view of them is then stale. */
  public static int changes() {
    return CHANGES.get();
  }

  /** Sets SIG_IGN for each signal the JVM can spare; returns those it cannot. */
  public static java.util.Set<Integer> ignore(java.util.Set<Integer> signals) {
    java.util.Set<Integer> refused = new java.util.TreeSet<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ign = arena.allocate(PosixLibC.LAYOUT.SIGACTION);
      PosixLibC.LAYOUT.setSaHandler(ign, PosixLibC.SIG_IGN);
      for (int sig : signals) {
        if (REFUSED.contains(sig)) {
          refused.add(sig);
        } else if (disposition(sig) != PosixLibC.SIG_IGN) {
          PosixLibC.sigaction(sig, ign, MemorySegment.NULL);
          CHANGES.incrementAndGet();
        }
      }
    }
    return refused;
  }

  /**
   * The disposition of {@code sig}: {@link PosixLibC#SIG_DFL}, {@link PosixLibC#SIG_IGN} or a
   * handler's address.
   */
  public static long disposition(int sig) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment old = arena.allocate(PosixLibC.LAYOUT.SIGACTION);
      PosixLibC.sigaction(sig, MemorySegment.NULL, old);
      return PosixLibC.LAYOUT.saHandler(old);
    }
  }

  /**
   * Ends this process by {@code sig}, as the shell's child it mirrors ended: core dumps off
   * through {@code coreDumpsOff} (the dump would be the JVM's, not the child's; Linux:
   * PR_SET_DUMPABLE), default action, unblocked on this thread, raised. Returns only if {@code
   * sig} does not end a process by default.
   */
  public static void dieBy(int sig, Runnable coreDumpsOff) {
    coreDumpsOff.run();
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
