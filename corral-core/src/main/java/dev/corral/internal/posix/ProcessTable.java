package dev.corral.internal.posix;

import dev.corral.internal.ProcStat;
import java.util.List;

/**
 * What the process-group layer needs to know about every process and to signal one safely: Linux
 * brings /proc and pidfds, macOS would bring libproc or sysctl and a pid plus start-time check.
 * Service thread only.
 */
public interface ProcessTable {

  /**
   * Whether this table shows this JVM's pid namespace. When it does not, its pids are not ours to
   * signal, and only the leader's own group is reachable.
   */
  boolean ownNamespace();

  /** Every process now; those that vanish while read are skipped. */
  List<ProcStat> scan();

  /** The value of one environment entry of {@code pid}, by its {@code prefix} ("NAME="), or null. */
  String environValue(int pid, byte[] prefix);

  /**
   * The start time (in {@link ProcStat#startTime()} units) of a process that started {@code
   * nanosAgo} ago, minus a second of slack: older processes cannot carry a run's marker.
   */
  long startedBefore(long nanosAgo);

  /** The last pid the system handed out, or -1 where this OS does not tell. */
  int lastPid();

  /**
   * Sends {@code signal} to {@code seen} only if it is still the same process (same pid and start
   * time, checked so that a recycled pid cannot be hit). Returns true when it was sent.
   */
  boolean signalIfSame(ProcStat seen, int signal);

  /**
   * Sends {@code signal} to process group {@code pgid}; the caller guarantees the id cannot have
   * been reused (its leader is unreaped).
   */
  void signalGroup(int pgid, int signal);
}
