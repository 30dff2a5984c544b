package dev.corral.internal.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The name of one JVM's directory under Corral's cgroup base, and of its spawn gate: "pid.start"
 * in the initial pid namespace, "pid.start.ns" (the namespace's inode number) in any other.
 *
 * <p>A pid and a start time identify a process only inside its own pid namespace: two JVMs in
 * different containers that share one cgroup tree see different processes behind the same pid.
 * So a JVM judges only the names of its own namespace when it cleans up after dead ones; any
 * other name it leaves alone, even if that means litter from a namespace that is gone.
 */
record JvmName(long pid, long start, long namespace) {
  /** The initial pid namespace's inode number (PROC_PID_INIT_INO in the kernel). */
  static final long INITIAL = 0xEFFFFFFCL;
  /** This process's pid namespace when /proc/self/ns/pid cannot be read. */
  static final long UNKNOWN = 0;

  String text() {
    return pid + "." + start + (namespace == INITIAL ? "" : "." + namespace);
  }

  /** The name's parts, or null when it is not a JVM name. */
  static JvmName parse(String name) {
    String[] parts = name.split("\\.", -1);
    if (parts.length < 2 || parts.length > 3) {
      return null;
    }
    try {
      long ns = parts.length == 3 ? Long.parseLong(parts[2]) : INITIAL;
      return new JvmName(Long.parseLong(parts[0]), Long.parseLong(parts[1]), ns);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * Whether a JVM in namespace {@code own} may judge this name by its pid and start time: only
   * a name of its own, known namespace.
   */
  boolean judgedFrom(long own) {
    return own != UNKNOWN && namespace == own && pid > 0;
  }

  /** This process's pid namespace, from the link /proc/self/ns/pid ("pid:[4026531836]"). */
  static long ownNamespace() {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
      int open = link.indexOf('[');
      int close = link.indexOf(']');
      return open < 0 || close < open ? UNKNOWN : Long.parseLong(link.substring(open + 1, close));
    } catch (IOException | RuntimeException e) {
      return UNKNOWN;
    }
  }
}
