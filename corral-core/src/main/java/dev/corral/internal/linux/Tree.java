package dev.corral.internal.linux;

import dev.corral.Containment;
import dev.corral.internal.ProcStat;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A run's process tree as one containment layer holds it. Used only on the service thread.
 *
 * <p>The leader is not a member here: its run tracks it through its pidfd, and keeps it unreaped
 * until the tree is verified empty, so that its pid, group id and session id cannot be reused.
 */
interface Tree {

  Containment containment();

  /** The live members other than the leader, as a snapshot. */
  List<ProcStat> members();

  /** True when no member other than the (exited, unreaped) leader is alive. */
  boolean isEmpty();

  /**
   * Send {@code signal} to every member and to the leader if it still runs, then SIGCONT so that
   * stopped processes act on it, and pass {@code then} the members signalled. A layer may do it
   * later (a cgroup waits for its freeze), but never blocks the service thread meanwhile.
   */
  void stop(int signal, Consumer<List<ProcStat>> then);

  /**
   * SIGKILL every member and the leader, including any that appeared since the last look.
   * Returns the pids other than the leader's that were alive just before.
   */
  List<Integer> kill();

  /**
   * Call {@code listener} whenever the tree may have become empty, until it returns true. The
   * listener checks {@link #members()} itself. Cgroups report it from the kernel; other layers poll.
   */
  void onMaybeEmpty(BooleanSupplier listener);

  /**
   * Let the members go on without containment ({@code Leftovers.LEAVE_RUNNING}) and return them.
   * A cgroup moves them out to the JVM's own cgroup, so that the run's cgroup can be removed.
   */
  List<ProcStat> release();

  /** Release what the layer holds (remove the cgroup). Only once the tree is empty. */
  void close();
}
