package dev.corral.cli;

import java.time.Duration;

/**
 * GNU timeout's durations: a floating-point number as strtod(3) reads it in the C locale (decimal,
 * hexadecimal, {@code inf}), then at most one suffix: s, m, h or d. Pure logic.
 *
 * <p>0 means no limit. Values too large to keep are clamped to {@link #MAX}; a positive value too
 * small for a double (1e-10000) rounds up to the smallest one, so it still expires at once, and a
 * negative one of that kind stays negative, so it is refused.
 */
final class Durations {
  private Durations() {}

  /** Longest limit Corral keeps: GNU clamps to the largest time_t; nobody waits 100 years. */
  static final Duration MAX = Duration.ofDays(365L * 100);

  /**
   * Parses {@code text}; {@link Duration#ZERO} means no limit.
   *
   * @throws IllegalArgumentException "invalid time interval 'TEXT'"
   */
  static Duration parse(String text) {
    // The locale is asked only when a comma could matter: its data takes milliseconds to load.
    Strtod.Scan scan = Strtod.scan(text, text.indexOf(',') >= 0 && decimalComma());
    if (scan == null || scan.end() < text.length() - 1) {
      throw invalid(text);
    }
    double multiplier = 1;
    if (scan.end() == text.length() - 1) {
      multiplier = switch (text.charAt(scan.end())) {
        case 's' -> 1;
        case 'm' -> 60;
        case 'h' -> 3600;
        case 'd' -> 86400;
        default -> throw invalid(text);
      };
    }
    double seconds = scan.value();
    if (seconds == 0 && scan.underflow()) {
      seconds = scan.negative() ? -Double.MIN_VALUE : Double.MIN_VALUE;
    }
    if (!(seconds >= 0)) {
      throw invalid(text);
    }
    seconds *= multiplier;
    if (seconds == 0) {
      return Duration.ZERO;
    }
    if (seconds >= MAX.getSeconds()) {
      return MAX;
    }
    return Duration.ofNanos(Math.max(1, (long) Math.ceil(seconds * 1e9)));
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("invalid time interval " + Quote.of(text));
  }

  /** Whether the user's locale writes 0,5 for a half: GNU then accepts both forms. */
  private static boolean decimalComma() {
    String locale = firstSet("LC_ALL", "LC_NUMERIC", "LANG");
    if (locale == null || locale.equals("C") || locale.startsWith("C.") || locale.equals("POSIX")
        || locale.length() < 2) {
      return false;
    }
    String language = locale.split("[_.@]")[0];
    return !language.isEmpty() && java.text.DecimalFormatSymbols
        .getInstance(java.util.Locale.forLanguageTag(locale.replace('_', '-').split("[.@]")[0]))
        .getDecimalSeparator() == ',';
  }

  private static String firstSet(String... names) {
    for (String n : names) {
      String v = System.getenv(n);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return null;
  }
}
