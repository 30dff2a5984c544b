package dev.corral;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * The fields, in one object a command holds through a final field: copied, edited and frozen
 * into a new command by {@code Command.with}, never changed once that command exists.
 */
final class Spec implements Cloneable {
  List<String> argv;
  Path directory;
  boolean inheritEnvironment;
  Map<String, String> environmentChanges; // a null value removes the name
  Input stdin;
  Output stdout;
  Output stderr;
  Duration deadline;
  Duration grace;
  Signal stopSignal;
  Containment containment;
  Command.Leftovers leftovers;
  Set<Signal> keepIgnored;
  Set<Signal> keepBlocked;
  boolean foreground;
  Executor consumers;
  /** Descriptors passed to the command: its number to this process's, in its numbers' order. */
  SortedMap<Integer, Integer> passed;

  Spec copy() {
    try {
      return (Spec) clone();
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }

  // ---- checks of Command's arguments, which say what is wrong ----

  static List<String> checkedArgv(List<String> argv) {
    Objects.requireNonNull(argv, "argv");
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("argv is empty: a command needs at least the program");
    }
    if (argv.get(0).isEmpty()) {
      throw new IllegalArgumentException("argv[0] is empty: name the program to run");
    }
    for (int i = 0; i < argv.size(); i++) {
      String arg = Objects.requireNonNull(argv.get(i), "argv[" + i + "] is null");
      if (arg.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argv[" + i + "] contains NUL: " + Shown.printable(arg));
      }
    }
    return List.copyOf(argv);
  }

  static void checkEnvName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "bad environment variable name (empty, or has '=' or NUL): " + Shown.printable(name));
    }
  }

  static Set<Signal> signalSet(String option, Set<Signal> signals, String what) {
    Objects.requireNonNull(signals, option);
    Set<Signal> set = new LinkedHashSet<>();
    for (Signal s : signals) {
      Objects.requireNonNull(s, option + " contains null");
      if (s.numberHere() == 0) {
        throw new IllegalArgumentException(option + ": signal 0 cannot be " + what);
      }
      set.add(s);
    }
    return Collections.unmodifiableSet(set);
  }

  /** {@code passed} with descriptor {@code fd} passed as {@code as}. */
  static SortedMap<Integer, Integer> withPassed(SortedMap<Integer, Integer> passed, int fd, int as) {
    if (fd < 0) {
      throw new IllegalArgumentException("cannot pass descriptor " + fd + ": descriptors are 0 or more");
    }
    if (as < 3 || as > 65535) {
      throw new IllegalArgumentException("cannot pass descriptor " + fd + " as " + as + ": "
          + (as < 3 ? "0, 1 and 2 are the command's stdin, stdout and stderr (set those with"
              + " stdin, stdout and stderr)" : "the command's numbers go up to 65535"));
    }
    Integer already = passed.get(as);
    if (already != null && already != fd) {
      throw new IllegalArgumentException("cannot pass descriptor " + fd + " as " + as
          + ": descriptor " + already + " is already passed as " + as);
    }
    TreeMap<Integer, Integer> more = new TreeMap<>(passed);
    more.put(as, fd);
    return Collections.unmodifiableSortedMap(more);
  }
}
