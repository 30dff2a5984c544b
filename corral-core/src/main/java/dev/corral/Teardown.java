package dev.corral;

import java.util.List;
import java.util.Objects;

/**
 * How a run's tree was ended, and the proof that nothing survived. Every {@link Result} has one.
 *
 * @param containment the layer that held the tree (never {@link Containment#AUTO})
 * @param placement how the leader entered its cgroup ({@link Placement#NONE} without one)
 * @param cause why a stop sequence ran
 * @param signalled how many processes received the stop signal
 * @param endedOnStop pids that ended during the grace period, after the stop signal
 * @param neededKill pids that were still alive when the grace period ran out and got SIGKILL
 * @param leftRunning pids deliberately left running ({@link Command.Leftovers#LEAVE_RUNNING})
 * @param survivors processes still alive after the whole sequence, as {@code "pid (comm)"}. Empty
 *     unless something is badly wrong; {@link Result#toString()} then says so in capitals.
 */
public record Teardown(
    Containment containment,
    Placement placement,
    Cause cause,
    int signalled,
    List<Long> endedOnStop,
    List<Long> neededKill,
    List<Long> leftRunning,
    List<String> survivors) {

  /** How the leader came to be in its cgroup before its first instruction. */
  public enum Placement {
    /** The kernel created it there (clone3 with CLONE_INTO_CGROUP, through glibc 2.39's pidfd_spawn). */
    KERNEL,
    /** It waited at a gate, between its setsid and its exec, until Corral moved it there. */
    GATE,
    /** Corral's launcher forked it before the JVM started; it moved there before its exec. */
    LAUNCHER,
    /** No cgroup: process-group or portable containment. */
    NONE
  }

  /** Why the tree was stopped. */
  public enum Cause {
    /** Nothing had to be stopped: the leader exited and left nothing behind. */
    NONE,
    /** The deadline passed. */
    DEADLINE,
    /** The caller cancelled or closed the run, or the JVM is shutting down. */
    CANCEL,
    /** The leader exited and left processes behind, which were stopped. */
    LEFTOVERS,
    /** A consumer of the run's output threw; the run failed with that exception. */
    CONSUMER_FAILED
  }

  public Teardown {
    Objects.requireNonNull(containment, "containment");
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(cause, "cause");
    endedOnStop = List.copyOf(endedOnStop);
    neededKill = List.copyOf(neededKill);
    leftRunning = List.copyOf(leftRunning);
    survivors = List.copyOf(survivors);
  }

  /** True when the tree is verified empty (apart from what was deliberately left running). */
  public boolean clean() {
    return survivors.isEmpty();
  }
}
