package dev.corral.internal;

import dev.corral.Containment;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** The members of a run other than the leader, as one containment layer holds them. */
public interface Members {
  Containment containment();

  /** How the leader entered its cgroup, where the layer has one. */
  default dev.corral.Teardown.Placement placement() {
    return dev.corral.Teardown.Placement.NONE;
  }

  /** True when no member but the (exited, unreaped) leader is alive. */
  boolean isEmpty();

  /**
   * {@link #isEmpty} as any thread may ask it, before the service thread knows the run (see
   * {@link StopSequence#finishHere}); false where only the service thread can tell.
   */
  default boolean isEmptyFromAnyThread() {
    return false;
  }

  /**
   * Sends {@code signal} to every member and to the leader if it runs, then SIGCONT, and passes
   * {@code then} the pids signalled. It may do so later, but never blocks meanwhile.
   */
  void stop(int signal, Consumer<List<Long>> then);

  /** SIGKILL to every member and the leader; returns the pids alive just before. */
  List<Long> kill();

  /** Calls {@code listener} whenever the tree may have emptied, until it returns true. */
  void onMaybeEmpty(BooleanSupplier listener);

  /** Lets the members go on uncontained ({@code Leftovers.LEAVE_RUNNING}); returns them. */
  List<Long> release();

  /** Each live member as {@code "pid (name)"}, for a result's survivors. */
  List<String> describe();

  /** Gives back what the layer holds; once the tree is empty or given up. */
  void close();
}
