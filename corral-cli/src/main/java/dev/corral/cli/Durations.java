package dev.corral.cli;

import java.time.Duration;

/** GNU timeout's durations: a non-negative float with an optional s, m, h or d suffix. */
final class Durations {
  private Durations() {}

  /** Longest deadline Corral keeps; larger values are clamped, as timeout clamps to its maximum. */
  static final Duration MAX = Duration.ofDays(365L * 100);

  /** Parses {@code text}; {@link Duration#ZERO} means no limit. Tiny positive values round up to 1 ns. */
  static Duration parse(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("invalid time interval ''");
    }
    char last = text.charAt(text.length() - 1);
    double unit = switch (last) {
      case 's' -> 1;
      case 'm' -> 60;
      case 'h' -> 3600;
      case 'd' -> 86400;
      default -> 0;
    };
    String number = unit == 0 ? text : text.substring(0, text.length() - 1);
    if (unit == 0) {
      unit = 1;
    }
    double seconds;
    String lower = number.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("inf") || lower.equals("infinity")) {
      return MAX;
    }
    try {
      if (number.isEmpty() || !number.matches("[0-9.eExXpPa-fA-F+-]+")) {
        throw new NumberFormatException();
      }
      seconds = Double.parseDouble(number) * unit;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid time interval '" + text + "'");
    }
    if (Double.isNaN(seconds) || seconds < 0) {
      throw new IllegalArgumentException("invalid time interval '" + text + "'");
    }
    if (seconds == 0) {
      return Duration.ZERO;
    }
    if (seconds >= MAX.getSeconds()) {
      return MAX;
    }
    long nanos = (long) Math.ceil(seconds * 1e9);
    return Duration.ofNanos(Math.max(1, nanos));
  }
}
