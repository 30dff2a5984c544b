package dev.corral.internal.cli;

import dev.corral.Command;
import dev.corral.internal.Platform;
import java.util.List;
import java.util.Set;

/**
 * What only the command-line tool and its launcher need from a backend, kept out of {@link
 * Platform} so that a backend's duties to the library stay few: the launcher's pre-forked slot,
 * dying by a signal as a supervisor that mirrors its child must, ignoring signals before a spawn,
 * and the process list for {@code corral tree}. Every backend implements it.
 */
public interface CliPlatform {

  /** This JVM's backend, as {@link Platform#get()} loads it. */
  static CliPlatform get() {
    return (CliPlatform) Platform.get();
  }

  /**
   * Whether starting {@code command} would run it in a process Corral's launcher forked before
   * the JVM started. That process has the caller's signal dispositions as they were, so nothing
   * needs {@link #ignoreSignals} first.
   */
  default boolean preforkedFor(Command command) {
    return false;
  }

  /**
   * Makes this process ignore each of {@code signals}, so that children started from now on
   * inherit SIG_IGN for them (posix_spawn can reset a signal to its default, but never ignore
   * one). Signals the JVM cannot run without (SEGV, BUS, FPE, ILL, USR2) are left alone and
   * returned; QUIT loses the JVM's thread dumps.
   */
  Set<Integer> ignoreSignals(Set<Integer> signals);

  /**
   * Ends this process by {@code signal}, without a core dump. Returns only if the signal does not
   * end a process by default.
   */
  void dieBy(int signal);

  /** Every process now, for {@code corral tree}; processes that vanish while read are skipped. */
  List<ProcessView> processes();

  /** As {@link Platform#shutdown()}: for a process about to halt without the JDK's shutdown. */
  void shutdown();
}
