package dev.corral.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One line of Linux {@code /proc/<pid>/stat}, parsed. Pure, so it is tested on any host.
 *
 * @param comm the command name, up to 15 bytes, which may itself hold spaces and parentheses
 * @param state R, S, D, Z, T, t, X, I ...
 * @param startTime clock ticks after boot; with the pid it names one process for all time
 */
public record ProcStat(int pid, String comm, char state, int ppid, int pgrp, int session, long startTime) {

  /** Parses a stat line, or returns null when it is not one (a process that vanished mid-read). */
  public static ProcStat parse(String line) {
    int open = line.indexOf(" (");
    String[] f = fields(line);
    if (open <= 0 || f == null) {
      return null;
    }
    try {
      int pid = Integer.parseInt(line, 0, open, 10);
      String comm = line.substring(open + 2, line.lastIndexOf(") "));
      // f[0] is field 3 (state); starttime is field 22.
      if (f.length < 20) {
        return null;
      }
      return new ProcStat(pid, comm, f[0].charAt(0), Integer.parseInt(f[1]),
          Integer.parseInt(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[19]));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      return null;
    }
  }

  /**
   * A zombie's wait status, as waitpid(2) would give it (field 52, Linux 3.5 and later), from its
   * stat line; -1 when the line is not a zombie's.
   */
  public static int waitStatus(String line) {
    String[] f = fields(line);
    if (f == null || f.length < 50 || !f[0].equals("Z")) {
      return -1;
    }
    try {
      return Integer.parseInt(f[49].trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The signals 1 to 31 a process ignores (field 33, sigignore: bit n-1 for signal n; the kernel
   * shows no higher ones there) from the first {@code length} bytes of its stat line, or -1 when
   * it is not one.
   */
  public static long ignoredSignalsUpTo31(MemorySegment line, int length) {
    int i = length - 2;
    while (i > 0 && !(line.get(ValueLayout.JAVA_BYTE, i) == ')' && line.get(ValueLayout.JAVA_BYTE, i + 1) == ' ')) {
      i--; // the last ") " ends the command name, which may hold both
    }
    if (i <= 0) {
      return -1;
    }
    i += 2; // field 3
    for (int field = 3; field < 33; i++) {
      if (i >= length) {
        return -1;
      }
      if (line.get(ValueLayout.JAVA_BYTE, i) == ' ') {
        field++;
      }
    }
    long mask = 0;
    int digits = 0;
    for (; i < length && digits < 11; i++, digits++) {
      int b = line.get(ValueLayout.JAVA_BYTE, i);
      if (b < '0' || b > '9') {
        break;
      }
      mask = mask * 10 + (b - '0');
    }
    return digits == 0 || i >= length || line.get(ValueLayout.JAVA_BYTE, i) != ' ' ? -1 : mask;
  }

  /**
   * The signals a process ignores (bit n-1 for signal n) from the first {@code length} bytes of
   * its {@code /proc/<pid>/status}, or -1 (every bit) when they are not there. The stat line has
   * them too, but only signals 1 to 31.
   */
  public static long ignoredSignals(MemorySegment status, int length) {
    byte[] key = {'\n', 'S', 'i', 'g', 'I', 'g', 'n', ':', '\t'};
    for (int i = 0; i + key.length + 17 <= length; i++) {
      int k = 0;
      while (k < key.length && status.get(ValueLayout.JAVA_BYTE, i + k) == key[k]) {
        k++;
      }
      if (k == key.length) {
        long mask = 0;
        for (int d = i + k; d < i + k + 16; d++) {
          int digit = Character.digit(status.get(ValueLayout.JAVA_BYTE, d), 16);
          if (digit < 0) {
            return -1;
          }
          mask = mask << 4 | digit;
        }
        // 16 digits, then the line's end: a kernel with more than 64 signals prints more.
        return status.get(ValueLayout.JAVA_BYTE, i + k + 16) == '\n' ? mask : -1;
      }
    }
    return -1;
  }

  /** The fields after the command name (the first is field 3), or null if there is no name. */
  private static String[] fields(String line) {
    int close = line.lastIndexOf(") ");
    return close < 0 ? null : line.substring(close + 2).split(" ");
  }

  /** A zombie or dead process holds no resources but its pid; it needs no signal. */
  public boolean exited() {
    return state == 'Z' || state == 'X' || state == 'x';
  }

  /** The pids of {@code procs}, in order. */
  public static java.util.List<Long> pids(java.util.List<ProcStat> procs) {
    java.util.List<Long> out = new java.util.ArrayList<>(procs.size());
    for (ProcStat p : procs) {
      out.add((long) p.pid());
    }
    return out;
  }

  /** Each of {@code procs} as {@code "pid (comm)"}, for a result's survivors. */
  public static java.util.List<String> describe(java.util.List<ProcStat> procs) {
    java.util.List<String> out = new java.util.ArrayList<>(procs.size());
    for (ProcStat p : procs) {
      out.add(p.pid() + " (" + p.comm() + ")");
    }
    return out;
  }

  /** Whether /proc is there and shows this JVM's pid namespace, so that its pids are ours. */
  private static final boolean PROC = procShowsSelf();

  private static boolean procShowsSelf() {
    try {
      return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self")).toString()
          .equals(Long.toString(ProcessHandle.current().pid()));
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  /** {@code pid}'s stat where /proc shows this JVM's processes, else null (or when it is gone). */
  public static ProcStat of(long pid) {
    if (!PROC) {
      return null;
    }
    try {
      return parse(java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat")));
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Alive and, where /proc can tell, not a zombie: a zombie has ended, and only its parent's wait
   * (or init's, which some container inits do only every few seconds) is missing.
   */
  public static boolean running(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    ProcStat stat = of(h.pid());
    return stat == null || !stat.exited();
  }
}
