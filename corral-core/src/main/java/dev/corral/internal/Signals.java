package dev.corral.internal;

import java.util.Locale;

/** Signal names and numbers of one OS, as data so every table is testable on any host. */
public final class Signals {
  private final String[] names; // index = number

  private Signals(String... names) {
    this.names = names;
  }

  /** Linux on x86_64 and aarch64 (signal(7)). */
  public static final Signals LINUX = new Signals(
      null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
      "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
      "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

  private static final int LINUX_RTMIN = 34;
  private static final int LINUX_RTMAX = 64;

  /** The name without "SIG", such as "TERM", or null when {@code number} is no signal. */
  public String name(int number) {
    if (number > 0 && number < names.length) {
      return names[number];
    }
    if (this == LINUX && number >= LINUX_RTMIN && number <= LINUX_RTMAX) {
      return number == LINUX_RTMIN ? "RTMIN" : number == LINUX_RTMAX ? "RTMAX" : "RTMIN+" + (number - LINUX_RTMIN);
    }
    return null;
  }

  /**
   * The number for a name ("TERM", "SIGTERM", "term", "RTMIN+2") or a decimal number, or -1.
   * Number 0 is accepted as a number (it probes, as kill -0 does).
   */
  public int number(String text) {
    String s = text.trim().toUpperCase(Locale.ROOT);
    if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
      try {
        int n = Integer.parseInt(s);
        return n == 0 || name(n) != null ? n : -1;
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    if (s.startsWith("SIG")) {
      s = s.substring(3);
    }
    for (int i = 1; i < names.length; i++) {
      if (s.equals(names[i])) {
        return i;
      }
    }
    if (s.equals("IOT")) {
      return 6;
    }
    if (s.equals("POLL")) {
      return 29;
    }
    if (this == LINUX && s.startsWith("RTM")) {
      for (int n = LINUX_RTMIN; n <= LINUX_RTMAX; n++) {
        if (s.equals(name(n))) {
          return n;
        }
      }
      if (s.startsWith("RTMAX-")) {
        try {
          int k = Integer.parseInt(s.substring(6));
          int n = LINUX_RTMAX - k;
          return n >= LINUX_RTMIN ? n : -1;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  public int max() {
    return this == LINUX ? LINUX_RTMAX : names.length - 1;
  }
}
