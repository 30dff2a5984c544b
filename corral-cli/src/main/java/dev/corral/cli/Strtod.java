package dev.corral.cli;

/**
 * The longest prefix that C's strtod(3) would read, and its value: leading white space, a sign,
 * then a decimal or hexadecimal number with optional exponent, or {@code inf}, {@code infinity},
 * {@code nan}. Pure logic.
 */
final class Strtod {
  private Strtod() {}

  /**
   * @param end index just past the number
   * @param underflow the digits were not all zero but the value rounded to zero
   */
  record Scan(double value, int end, boolean negative, boolean underflow) {}

  /** Null when no number starts {@code s}. {@code comma} also accepts ',' as the decimal point. */
  static Scan scan(String s, boolean comma) {
    int i = 0;
    while (i < s.length() && " \t\n\u000b\f\r".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    boolean negative = false;
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    String rest = s.substring(i).toLowerCase(java.util.Locale.ROOT);
    if (rest.startsWith("inf")) {
      int len = rest.startsWith("infinity") ? 8 : 3;
      return new Scan(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, i + len, negative, false);
    }
    if (rest.startsWith("nan")) {
      int end = i + 3;
      int close = s.indexOf(')', end);
      if (end < s.length() && s.charAt(end) == '(' && close > 0
          && s.substring(end + 1, close).chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_')) {
        end = close + 1;
      }
      return new Scan(Double.NaN, end, negative, false);
    }
    boolean hex = rest.startsWith("0x") && rest.length() > 2
        && (Character.digit(rest.charAt(2), 16) >= 0
            || (rest.length() > 3 && isPoint(rest.charAt(2), comma) && Character.digit(rest.charAt(3), 16) >= 0));
    int radix = hex ? 16 : 10;
    int j = hex ? i + 2 : i;
    StringBuilder mantissa = new StringBuilder();
    boolean digits = false;
    boolean nonZero = false;
    boolean point = false;
    for (; j < s.length(); j++) {
      char c = s.charAt(j);
      if (Character.digit(c, radix) >= 0 && c < 128) {
        digits = true;
        nonZero |= c != '0';
        mantissa.append(c);
      } else if (!point && isPoint(c, comma)) {
        point = true;
        mantissa.append('.');
      } else {
        break;
      }
    }
    if (!digits) {
      return null;
    }
    String exponent = hex ? "p0" : "";
    char mark = hex ? 'p' : 'e';
    if (j < s.length() && Character.toLowerCase(s.charAt(j)) == mark) {
      int k = j + 1;
      if (k < s.length() && (s.charAt(k) == '+' || s.charAt(k) == '-')) {
        k++;
      }
      int digitsFrom = k;
      while (k < s.length() && s.charAt(k) >= '0' && s.charAt(k) <= '9') {
        k++;
      }
      if (k > digitsFrom) {
        exponent = mark + clampExponent(s.substring(j + 1, k));
        j = k;
      }
    }
    String number = (hex ? "0x" : "") + mantissa + exponent;
    double value = Double.parseDouble(number);
    return new Scan(negative ? -value : value, j, negative, nonZero && value == 0);
  }

  private static boolean isPoint(char c, boolean comma) {
    return c == '.' || (comma && c == ',');
  }

  /** Exponents beyond a few thousand only mean "overflow" or "underflow"; keep them parseable. */
  private static String clampExponent(String e) {
    boolean minus = e.startsWith("-");
    String digits = e.replaceFirst("^[+-]", "").replaceFirst("^0+(?=.)", "");
    if (digits.length() > 6) {
      digits = "999999";
    }
    return (minus ? "-" : "") + digits;
  }
}
