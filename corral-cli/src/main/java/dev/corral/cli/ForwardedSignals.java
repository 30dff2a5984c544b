package dev.corral.cli;

import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Catches the signals that are to be forwarded to the tree, through the JDK's signal dispatcher.
 *
 * <p>Limit: the JVM keeps a few signals for itself and refuses handlers for them: QUIT (thread
 * dumps), USR2, and the synchronous ones (SEGV, ILL, FPE, BUS). Those are not forwarded, nor is
 * PIPE (see {@code Timeout.FORWARDED}).
 */
final class ForwardedSignals {
  private ForwardedSignals() {}

  private static final int SIGALRM = 14;

  /**
   * Installs {@code handler} for each of {@code signals} and for {@code stopSignal}, except those
   * the caller left ignored: those stay ignored, here and in the command (ALRM and the stop
   * signal are always caught, as GNU timeout does).
   */
  static void install(int[] signals, int stopSignal, Set<Integer> ignored, IntConsumer handler) {
    for (int s : signals) {
      if (!ignored.contains(s) || s == SIGALRM || s == stopSignal) {
        catchSignal(s, handler);
      }
    }
    if (stopSignal != 0) {
      catchSignal(stopSignal, handler);
    }
  }

  private static void catchSignal(int number, IntConsumer handler) {
    String name = SignalArgs.name(number);
    try {
      sun.misc.Signal.handle(new sun.misc.Signal(name), s -> handler.accept(s.getNumber()));
    } catch (IllegalArgumentException e) {
      // Reserved by the JVM, or unknown to it: cannot be forwarded (see the class comment).
    }
  }
}
