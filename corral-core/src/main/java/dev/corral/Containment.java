package dev.corral;

/**
 * How a run's process tree is held together so that all of it can be ended.
 *
 * <p>Ask for {@link #AUTO} (the default) and Corral takes the strongest layer this machine offers;
 * the {@link Teardown} of every result says which one it used.
 */
public enum Containment {
  /** The strongest available: {@link #CGROUP} where a writable cgroup v2 hierarchy exists, else {@link #PROCESS_GROUP}. */
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
  PROCESS_GROUP
}
