package dev.corral;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** How commands and arguments are shown in messages: quoted as a shell would, and bounded. */
final class Shown {
  private Shown() {}

  /** Longer than this, {@link #argv} shortens the argv. */
  private static final int SHOWN_CHARS = 200;

  /**
   * The argv as a shell would show it. A long one is cut after the arguments that fit, with the
   * number of arguments and their total size.
   */
  static String argv(List<String> argv) {
    String program = argv.get(0);
    StringBuilder sb = new StringBuilder(program.length() > SHOWN_CHARS
        ? quote(program.substring(0, SHOWN_CHARS)) + "..." : quote(program));
    int shown = 1;
    while (shown < argv.size() && sb.length() + 1 + argv.get(shown).length() <= SHOWN_CHARS) {
      String q = quote(argv.get(shown));
      if (sb.length() + 1 + q.length() > SHOWN_CHARS) {
        break;
      }
      sb.append(' ').append(q);
      shown++;
    }
    if (shown < argv.size()) {
      long bytes = 0;
      for (String a : argv) {
        bytes += a.getBytes(StandardCharsets.UTF_8).length + 1;
      }
      sb.append(" ... (").append(argv.size()).append(" arguments, ").append(bytes).append(" bytes)");
    }
    return sb.toString();
  }

  static String quote(String s) {
    if (!s.isEmpty() && s.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,+@%".indexOf(c) >= 0)) {
      return s;
    }
    return "'" + printable(s).replace("'", "'\\''") + "'";
  }

  static String printable(String s) {
    return s.replace("\0", "\\0");
  }
}
