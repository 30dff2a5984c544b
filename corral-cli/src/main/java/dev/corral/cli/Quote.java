package dev.corral.cli;

/** Quotes a word for a message as GNU tools do in the C locale: 'word', escaping what is not plain. */
final class Quote {
  private Quote() {}

  static String of(String s) {
    StringBuilder sb = new StringBuilder("'");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'') {
        sb.append("'\\''");
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\%03o", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('\'').toString();
  }
}
