package dev.corral;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  java.util.SortedMap<Integer, Integer> passed;

  Spec copy() {
    try {
      return (Spec) clone();
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }
}
