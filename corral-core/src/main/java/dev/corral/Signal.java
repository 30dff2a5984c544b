package dev.corral;

import dev.corral.internal.Signals;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A signal by its name, which means the same on every OS ({@link #TERM} asks a process to end,
 * {@link #KILL} forces it), and this OS's number for it, if it has one: numbers differ between
 * systems (CHLD is 17 on Linux and 20 on macOS), so the API never takes them raw.
 *
 * <p>Every name known on Linux, macOS or the BSDs is a {@code Signal} everywhere; whether this OS
 * can deliver it is {@link #number()}. Windows has no signals: only TERM (the JDK's normal end,
 * which on Windows is immediate) and KILL. Using a signal this OS lacks fails with an {@link
 * IllegalArgumentException} that says so. {@link #NONE} sends nothing (number 0, as {@code kill
 * -0}). Which OS is "this" comes from {@code os.name}; no native code is loaded.
 *
 * <p>Two signals are equal when their names are.
 */
public final class Signal {
  /** Sends nothing: a stop with it leaves only the SIGKILL after the grace period. */
  public static final Signal NONE = new Signal("0");
  public static final Signal HUP = new Signal("HUP");
  public static final Signal INT = new Signal("INT");
  public static final Signal QUIT = new Signal("QUIT");
  public static final Signal ABRT = new Signal("ABRT");
  public static final Signal KILL = new Signal("KILL");
  public static final Signal USR1 = new Signal("USR1");
  public static final Signal USR2 = new Signal("USR2");
  public static final Signal PIPE = new Signal("PIPE");
  public static final Signal ALRM = new Signal("ALRM");
  /** The default stop signal. */
  public static final Signal TERM = new Signal("TERM");
  public static final Signal CHLD = new Signal("CHLD");
  public static final Signal CONT = new Signal("CONT");
  public static final Signal STOP = new Signal("STOP");
  public static final Signal TSTP = new Signal("TSTP");
  public static final Signal TTIN = new Signal("TTIN");
  public static final Signal TTOU = new Signal("TTOU");
  public static final Signal WINCH = new Signal("WINCH");

  private final String name;

  private Signal(String name) {
    this.name = name;
  }

  /**
   * The signal named {@code name}: "TERM", "SIGTERM" and "term" are the same; real-time signals
   * read "RTMIN+2"; a decimal number is taken as this OS's.
   *
   * @throws IllegalArgumentException when no supported OS has a signal of that name
   */
  public static Signal of(String name) {
    Objects.requireNonNull(name, "name");
    String s = name.trim().toUpperCase(Locale.ROOT);
    if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
      int n = Signals.current().number(s);
      if (n < 0) {
        throw new IllegalArgumentException("not a signal on " + Signals.current().os() + ": " + name);
      }
      return of(n);
    }
    if (s.startsWith("SIG")) {
      s = s.substring(3);
    }
    for (Signals table : new Signals[] {Signals.LINUX, Signals.BSD}) {
      int n = table.number(s);
      if (n > 0) {
        return new Signal(table.name(n));
      }
    }
    throw new IllegalArgumentException("not a signal name: " + name);
  }

  /**
   * The signal with this OS's {@code number}; 0 is {@link #NONE}.
   *
   * @throws IllegalArgumentException when {@code number} is no signal here
   */
  public static Signal of(int number) {
    if (number == 0) {
      return NONE;
    }
    Signals.current().check(number);
    return new Signal(Signals.current().name(number));
  }

  /** The signal an outcome reports by this OS's number; one the table lacks is named by number. */
  static Signal ofOutcome(int number) {
    String known = Signals.current().name(number);
    return new Signal(known != null ? known : Integer.toString(number));
  }

  /** The name without "SIG", such as "TERM" or "RTMIN+2"; "0" for {@link #NONE}. */
  public String name() {
    return name;
  }

  /** This OS's number for it, or empty where this OS has no such signal. */
  public OptionalInt number() {
    if (this.equals(NONE)) {
      return OptionalInt.of(0);
    }
    int n = Signals.current().number(name);
    return n > 0 ? OptionalInt.of(n) : OptionalInt.empty();
  }

  /**
   * This OS's number for it.
   *
   * @throws IllegalArgumentException when this OS cannot deliver it
   */
  int numberHere() {
    OptionalInt n = number();
    if (n.isEmpty()) {
      throw new IllegalArgumentException(this + " cannot be delivered on " + System.getProperty("os.name")
          + (Signals.current() == Signals.WINDOWS ? ": Windows has only TERM and KILL" : ""));
    }
    return n.getAsInt();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Signal s && s.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /** "SIGTERM (15)" with this OS's number, or "SIGINFO" where this OS has none. */
  @Override
  public String toString() {
    if (this.equals(NONE)) {
      return "signal 0";
    }
    OptionalInt n = number();
    return "SIG" + name + (n.isPresent() ? " (" + n.getAsInt() + ")" : "");
  }
}
