package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.CorralException;
import java.util.Map;

/**
 * How a run's child is spawned: into its cgroup by the kernel (glibc 2.39+) or through the gate
 * (one run's turn at a time), and on a platform thread of Corral's own when the caller is a
 * virtual thread.
 */
final class Spawns {
  private Spawns() {}

  record Placed(Spawner.Spawned spawned, RunCgroup cgroup) {}

  /**
   * Takes the gate's turn (until the deadline), then the run's cgroup, then spawns into it. The
   * cgroup is taken only once it is this run's turn: runs waiting for theirs hold no cgroup.
   */
  static Placed spawnInCgroup(CgroupHierarchy h, Command command,
      Map<String, String> environment, String marker, Stdio stdio, long deadline) {
    if (KernelPlacement.AVAILABLE) {
      RunCgroup cgroup = h.createRun();
      Watchdog.tell(cgroup.dir, command);
      try {
        return new Placed(Spawner.spawnInto(command, environment, marker, cgroup, stdio), cgroup);
      } catch (RuntimeException e) {
        giveBack(h, cgroup);
        throw e;
      }
    }
    CgroupGate.takeTurn(command, deadline);
    try {
      RunCgroup cgroup = h.createRun();
      Watchdog.tell(cgroup.dir, command);
      try {
        return new Placed(Spawner.spawn(command, environment, marker,
            new CgroupGate(h.gateRelease(), cgroup), stdio), cgroup);
      } catch (RuntimeException e) {
        giveBack(h, cgroup);
        throw e;
      }
    } finally {
      CgroupGate.endTurn();
    }
  }

  /** A spawn failed: glibc reaps a child whose exec failed, so the cgroup is usually a spare. */
  private static void giveBack(CgroupHierarchy h, RunCgroup cgroup) {
    if (cgroup.populated()) {
      cgroup.close();
      CgroupTree.killAndRemove(cgroup.dir);
    } else {
      h.recycle(cgroup);
    }
  }

  /** Spawns for virtual threads; started on first use. Gate spawns go one at a time anyway. */
  private static final class Spawning {
    static final java.util.concurrent.ExecutorService THREAD =
        java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("corral-spawn").factory());
  }

  /**
   * Runs {@code spawn} on a platform thread: posix_spawn blocks until the child has exec'd, and
   * would pin a virtual thread's carrier meanwhile. Also, the gate finds the child among the
   * spawning thread's children, and a virtual thread may move to another carrier wherever it blocks,
   * even between reading its carrier's id and posix_spawn (a contended lock will do); then the
   * gate looked among the wrong thread's children. A spawn still waiting for that thread when
   * {@code deadlineNanos} passes, or when the caller is interrupted, is dropped, and the run
   * fails without starting. One that has begun is waited for: the child must not be lost.
   */
  static <T> T onPlatformThread(Command command, long deadlineNanos,
      java.util.function.Supplier<T> spawn) {
    if (!Thread.currentThread().isVirtual()) {
      return spawn.get();
    }
    // Whoever sets this first decides: the spawn thread to spawn, or the caller to drop the spawn.
    // (FutureTask.cancel cannot: it succeeds on a task that is already running.)
    java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(
        () -> claimed.compareAndSet(false, true) ? spawn.get() : null);
    Spawning.THREAD.execute(task);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          if (interrupted || deadlineNanos - System.nanoTime() <= 0) {
            if (claimed.compareAndSet(false, true)) {
              throw new CorralException(interrupted ? CorralException.Reason.INTERRUPTED
                  : CorralException.Reason.DEADLINE_BEFORE_START, command.toString(),
                  "not started: " + (interrupted ? "interrupted" : "its deadline passed")
                      + " while it waited for its turn to spawn", 0, null);
            }
            return task.get(); // begun: wait for it, interrupts or not
          }
          return task.get(deadlineNanos - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (java.util.concurrent.TimeoutException e) {
          // the deadline passed: dropped above if it has not begun
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
