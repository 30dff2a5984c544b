package dev.corral.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the launcher learned before the JVM started, and how this program speaks: its name (as
 * invoked: {@code corral} or {@code timeout}) and one-line errors prefixed with it.
 */
final class Cli {
  private final String name;
  private final PrintStream err;

  Cli(String name, PrintStream err) {
    this.name = name;
    this.err = err;
  }

  /** The name from the launcher ({@code -Dcorral.name}), without its directory. */
  static Cli fromLauncher() {
    String invoked = System.getProperty("corral.name", "corral");
    return new Cli(invoked.substring(invoked.lastIndexOf('/') + 1), System.err);
  }

  String name() {
    return name;
  }

  boolean speaksAsTimeout() {
    return name.equals("timeout");
  }

  void error(String message) {
    err.println(name + ": " + message);
  }

  /** A usage error: the message, then where to find help, as GNU tools print it. */
  void usageError(String message, String helpCommand) {
    if (message != null) {
      error(message);
    }
    err.println("Try '" + helpCommand + " --help' for more information.");
  }

  void flush() {
    System.out.flush();
    err.flush();
  }

  /**
   * The signals the caller left ignored, as the launcher read them from its own SigIgn mask
   * before the JVM, which changes some dispositions, started ({@code -Dcorral.sigign=HEX}).
   */
  Set<Integer> inheritedIgnored() {
    return parseMask(System.getProperty("corral.sigign", "0"));
  }

  /**
   * The signals the caller left blocked, as the launcher read them from its own SigBlk mask
   * ({@code -Dcorral.sigblk=HEX}).
   */
  Set<Integer> inheritedBlocked() {
    return parseMask(System.getProperty("corral.sigblk", "0"));
  }

  /**
   * The caller's descriptors beyond 0, 1 and 2, as the launcher listed them before it opened any
   * of its own ({@code -Dcorral.fds=3,63}): the command gets them on the same numbers.
   */
  List<Integer> inheritedDescriptors() {
    List<Integer> all = parseDescriptors(System.getProperty("corral.fds", ""));
    List<Integer> passed = all.stream().filter(fd -> fd <= 65535).toList();
    if (passed.size() < all.size()) {
      error("warning: descriptors above 65535 are not passed to the command: "
          + all.stream().filter(fd -> fd > 65535).toList());
    }
    return passed;
  }

  /** "3,63" as [3, 63]; anything that is not a list of numbers above 2 is none. Pure logic. */
  static List<Integer> parseDescriptors(String list) {
    List<Integer> out = new ArrayList<>();
    for (String part : list.strip().split(",")) {
      if (part.isEmpty()) {
        continue;
      }
      try {
        int fd = Integer.parseInt(part);
        if (fd < 3) {
          return List.of();
        }
        out.add(fd);
      } catch (NumberFormatException e) {
        return List.of();
      }
    }
    return out;
  }

  /** Bit n-1 of the hexadecimal mask stands for signal n, as in /proc/PID/status. Pure logic. */
  static Set<Integer> parseMask(String hex) {
    Set<Integer> out = new TreeSet<>();
    String digits = hex.strip();
    for (int i = 0; i < digits.length(); i++) {
      int nibble = Character.digit(digits.charAt(digits.length() - 1 - i), 16);
      if (nibble < 0) {
        return Set.of();
      }
      for (int bit = 0; bit < 4; bit++) {
        if ((nibble & (1 << bit)) != 0) {
          out.add(i * 4 + bit + 1);
        }
      }
    }
    return out;
  }
}
