package dev.corral.cli;

import dev.corral.Signal;
import dev.corral.internal.Signals;
import java.util.Locale;

/** Signal operands as GNU tools read them, and signal names as they print them. Pure logic. */
final class SignalArgs {
  private SignalArgs() {}

  private static final Signals TABLE = Signals.current();

  /**
   * A name (any case, with or without SIG: {@code term}, {@code SIGTERM}, {@code RTMIN+2}) or a
   * number. Numbers above 128 read as a shell's exit status for that signal (137 is KILL).
   *
   * @throws IllegalArgumentException "'TEXT': invalid signal"
   */
  static int parse(String text) {
    int n = -1;
    if (!text.isEmpty() && text.charAt(0) >= '0' && text.charAt(0) <= '9') {
      if (text.chars().allMatch(c -> c >= '0' && c <= '9') && text.length() < 10) {
        n = Integer.parseInt(text);
        n &= n >= 0xFF ? 0xFF : 0x7F;
      }
    } else {
      String upper = text.toUpperCase(Locale.ROOT);
      n = byName(upper);
      if (n < 0 && upper.startsWith("SIG")) {
        n = byName(upper.substring(3));
      }
    }
    if (n < 0 || n > TABLE.max()) {
      throw new IllegalArgumentException(Quote.of(text) + ": invalid signal");
    }
    return n;
  }

  private static int byName(String name) {
    if (name.equals("EXIT")) {
      return 0;
    }
    if (name.isEmpty() || !name.equals(name.strip())) {
      return -1;
    }
    return TABLE.number(name);
  }

  /** The signals with these numbers of this OS. */
  static java.util.Set<Signal> signals(java.util.Set<Integer> numbers) {
    java.util.Set<Signal> out = new java.util.LinkedHashSet<>();
    for (int n : numbers) {
      out.add(Signal.of(n));
    }
    return out;
  }

  /** The name without SIG ({@code TERM}), or the number for 0 and unnamed signals. */
  static String name(int signal) {
    String name = signal == 0 ? null : TABLE.name(signal);
    return name == null ? Integer.toString(signal) : name;
  }
}
