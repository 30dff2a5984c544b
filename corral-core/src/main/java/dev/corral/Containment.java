package dev.corral;

/**
 * How a run's process tree is held together so that all of it can be ended.
 *
 * <p>Ask for {@link #AUTO} (the default) and Corral takes the strongest layer this machine offers;
 * the {@link Teardown} of every result says which one it used.
 */
public enum Containment {
  /**
   * The strongest available: {@link #CGROUP} where a writable cgroup v2 hierarchy exists, else
   * {@link #PROCESS_GROUP}; {@link #PORTABLE} on an OS without a native backend (any but Linux
   * for now) or where the native layer cannot load.
   */
  AUTO,

  /**
   * One cgroup v2 per run, entered before the child's first instruction. Catches every
   * descendant, however it daemonizes, and freezes the tree before signalling it, so a fork storm
   * cannot outrun the stop.
   */
  CGROUP,

  /**
   * The run's own session and process group, plus a sweep of the process table for descendants
   * and for processes that carry the run's private environment marker. Works on any POSIX system.
   *
   * <p>Limit: it cannot find a process that left the session and the group, scrubbed its
   * environment, and whose parent died before the sweep.
   */
  PROCESS_GROUP,

  /**
   * Best effort, with the JDK alone, on any OS: {@code ProcessBuilder} starts the command, and
   * snapshots of {@code ProcessHandle}s (pid and start time) taken every 50 ms while the run lives
   * find its tree. The stop sequence is {@code destroy()} (TERM on POSIX; on Windows it ends the
   * process at once), the grace period, then {@code destroyForcibly()} until no known member is
   * alive.
   *
   * <p>Limits, all measured by Corral's tests:
   * <ul>
   *   <li>A process that left the tree before a snapshot saw it is not found: a double fork
   *       faster than 50 ms, a child of a leader that exits right after forking it, a
   *       setsid daemon reparented before a snapshot, a child forked in the moment between the
   *       last snapshot and its parent's SIGKILL, and on Windows a process that broke away
   *       from its parent.
   *   <li>Only TERM, KILL and 0 can be sent: another stop signal fails the start, another
   *       {@link Run#cancel(Signal)} signal throws. Nothing sends SIGCONT, so a stopped process,
   *       which acts on TERM only once continued, is killed after the grace period.
   *   <li>The command stays in the caller's session and process group ({@link
   *       Command#foreground} is always true). The JDK reports a death by signal N as exit
   *       status 128+N, so on POSIX an exit status of 129 or more reads as a death by signal.
   *   <li>No parent-death guard: a JVM killed with SIGKILL leaves the tree running.
   * </ul>
   */
  PORTABLE
}
