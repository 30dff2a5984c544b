package dev.corral.internal;

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
    int close = line.lastIndexOf(") ");
    if (open <= 0 || close < open) {
      return null;
    }
    try {
      int pid = Integer.parseInt(line, 0, open, 10);
      String comm = line.substring(open + 2, close);
      String[] f = line.substring(close + 2).split(" ");
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

  /** A zombie or dead process holds no resources but its pid; it needs no signal. */
  public boolean exited() {
    return state == 'Z' || state == 'X' || state == 'x';
  }
}
