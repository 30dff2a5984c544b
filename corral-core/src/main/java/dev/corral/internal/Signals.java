package dev.corral.internal;

import java.util.Locale;

/**
 * Signal names and numbers of one OS, as data so every table is testable on any host. {@link
 * #current()} picks this JVM's table by {@code os.name} alone: no platform is loaded, so a
 * {@code Command} can check its signals without native code.
 */
public final class Signals {
  private final String os;
  private final String[] names; // index = number
  private final int rtMin;
  private final int rtMax;

  private Signals(String os, int rtMin, int rtMax, String... names) {
    this.os = os;
    this.names = names;
    this.rtMin = rtMin;
    this.rtMax = rtMax;
  }

  /** Linux on x86_64 and aarch64 (signal(7)). */
  public static final Signals LINUX = new Signals("Linux", 34, 64,
      null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
      "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
      "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

  /**
   * macOS and the BSDs (signal.h of Darwin and FreeBSD): 1 to 15 as on Linux, but BUS 10, SYS 12,
   * USR1 30, USR2 31, CHLD 20, CONT 19, STOP 17, and EMT and INFO, which Linux lacks. FreeBSD's
   * real-time signals are not listed.
   */
  public static final Signals BSD = new Signals("BSD", 0, 0,
      null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "EMT", "FPE", "KILL", "BUS", "SEGV",
      "SYS", "PIPE", "ALRM", "TERM", "URG", "STOP", "TSTP", "CONT", "CHLD", "TTIN", "TTOU", "IO",
      "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "INFO", "USR1", "USR2");

  /**
   * Windows has no signals. Only what the JDK can do to a process is named: a normal end
   * ({@code Process.destroy}, which on Windows ends it at once, as TERM) and a forced one (KILL).
   */
  public static final Signals WINDOWS = new Signals("Windows", 0, 0,
      null, null, null, null, null, null, null, null, null, "KILL", null, null, null, null, null,
      "TERM");

  /**
   * Any other POSIX system: only the numbers POSIX (XSI) fixes, the same everywhere. Others are
   * refused rather than guessed.
   */
  public static final Signals POSIX = new Signals("POSIX", 0, 0,
      null, "HUP", "INT", "QUIT", null, null, "ABRT", null, null, "KILL", null, null, null, null,
      "ALRM", "TERM");

  /** The table for an {@code os.name} value: "Linux", "Mac OS X", "FreeBSD", "Windows 11"... */
  public static Signals forOs(String osName) {
    String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
    if (os.startsWith("linux")) {
      return LINUX;
    }
    if (os.startsWith("mac") || os.startsWith("darwin") || os.endsWith("bsd")
        || os.startsWith("dragonfly")) {
      return BSD;
    }
    if (os.startsWith("windows")) {
      return WINDOWS;
    }
    return POSIX;
  }

  /** This JVM's table, by {@code os.name} as it was when first asked. */
  public static Signals current() {
    return Current.TABLE;
  }

  private static final class Current {
    static final Signals TABLE = forOs(System.getProperty("os.name"));
  }

  /** Which OS family this table is: "Linux", "BSD", "Windows" or "POSIX". */
  public String os() {
    return os;
  }

  /** The name without "SIG", such as "TERM", or null when {@code number} is no signal. */
  public String name(int number) {
    if (number > 0 && number < names.length) {
      return names[number];
    }
    if (rtMin > 0 && number >= rtMin && number <= rtMax) {
      return number == rtMin ? "RTMIN" : number == rtMax ? "RTMAX" : "RTMIN+" + (number - rtMin);
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
    s = switch (s) {
      case "IOT" -> "ABRT";
      case "POLL" -> "IO";
      default -> s;
    };
    for (int i = 1; i < names.length; i++) {
      if (s.equals(names[i])) {
        return i;
      }
    }
    if (rtMin > 0 && s.startsWith("RTM")) {
      for (int n = rtMin; n <= rtMax; n++) {
        if (s.equals(name(n))) {
          return n;
        }
      }
      if (s.startsWith("RTMAX-")) {
        try {
          int n = rtMax - Integer.parseInt(s.substring(6));
          return n >= rtMin ? n : -1;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** Throws {@link IllegalArgumentException} unless {@code number} is a signal here (0 is not). */
  public void check(int number) {
    if (name(number) == null) {
      throw new IllegalArgumentException("not a signal" + (this == LINUX ? "" : " on " + os)
          + ": " + number);
    }
  }

  /** Like {@link #number}, for a name: throws when it names no signal here (or is 0). */
  public int numberOf(String name) {
    int n = number(name);
    if (n <= 0) {
      throw new IllegalArgumentException("not a signal name" + (this == LINUX ? "" : " on " + os)
          + ": " + name);
    }
    return n;
  }

  /** This OS's number for {@code signal}; a {@code Command} has already refused one it lacks. */
  public static int here(dev.corral.Signal signal) {
    return signal.number().orElseThrow(
        () -> new IllegalArgumentException(signal + ": no such signal on " + current().os()));
  }

  /** This OS's numbers for {@code signals}, in order. */
  public static java.util.Set<Integer> here(java.util.Set<dev.corral.Signal> signals) {
    if (signals.isEmpty()) {
      return java.util.Set.of();
    }
    java.util.Set<Integer> out = new java.util.TreeSet<>();
    for (dev.corral.Signal s : signals) {
      out.add(here(s));
    }
    return out;
  }

  public int max() {
    return rtMax > 0 ? rtMax : names.length - 1;
  }

  @Override
  public String toString() {
    return "Signals[" + os + "]";
  }
}
