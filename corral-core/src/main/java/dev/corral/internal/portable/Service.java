package dev.corral.internal.portable;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The portable tier's one service thread, shared by every run of the JVM: timers, the snapshot
 * tick, and every step of every run, so that a run's state needs no lock. A step signals
 * processes or takes a snapshot; it never waits on a pipe or a process.
 *
 * <p>Cost: while at least one run lives, a snapshot every {@link #SNAPSHOT_PERIOD_NANOS}, one pass
 * over the whole process table whatever the number of runs: 1.3 to 4 ms for 75 to 130 processes
 * on this project's 2-CPU virtual machine (10 to 30 µs per process), so 3 to 8% of one CPU, more
 * on a machine with thousands of processes. Not yet benchmarked. Without runs nothing ticks, and
 * the thread ends after 10 idle seconds.
 */
final class Service implements dev.corral.internal.Scheduler {
  /** How often the census looks at the process table while a run lives. */
  static final long SNAPSHOT_PERIOD_NANOS = 50_000_000L;

  private final ScheduledThreadPoolExecutor executor;
  private final Census census = new Census();
  /** Live runs' trees, told after each snapshot. Service thread only. */
  private final Set<RunTree> runs = new LinkedHashSet<>();
  private ScheduledFuture<?> tick;

  private Service() {
    executor = new ScheduledThreadPoolExecutor(1,
        Thread.ofPlatform().daemon().name("corral-portable").factory());
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(10, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
  }

  private static final class Holder {
    static final Service SERVICE = new Service();
  }

  /** The JVM's one service, made on first use. */
  static Service get() {
    return Holder.SERVICE;
  }

  /** Runs {@code step} on the service thread, after what is already queued. */
  @Override
  public void execute(Runnable step) {
    executor.execute(step);
  }

  /** Runs {@code step} on the service thread at {@code nanoTime} (a {@link System#nanoTime} value). */
  @Override
  public dev.corral.internal.Scheduler.Timer at(long nanoTime, Runnable step) {
    ScheduledFuture<?> f = executor.schedule(step, Math.max(0, nanoTime - System.nanoTime()),
        TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  /** The process table as last seen. Service thread only. */
  Census census() {
    return census;
  }

  /** A run starts to live: it is told after each snapshot. Service thread only. */
  void register(RunTree run) {
    runs.add(run);
    if (tick == null) {
      tick = executor.scheduleWithFixedDelay(this::tick, 0, SNAPSHOT_PERIOD_NANOS,
          TimeUnit.NANOSECONDS);
    }
  }

  /** A run is over. The tick stops with the last one. Service thread only. */
  void unregister(RunTree run) {
    runs.remove(run);
    if (runs.isEmpty() && tick != null) {
      tick.cancel(false);
      tick = null;
    }
  }

  /** One snapshot, then each run may act on it. A failure must not end the periodic task. */
  private void tick() {
    try {
      census.scan();
    } catch (RuntimeException | Error e) {
      return; // the next tick tries again; a run's own steps report what they cannot do
    }
    for (RunTree run : new ArrayList<>(runs)) {
      try {
        run.scanned();
      } catch (RuntimeException | Error e) {
        // the run's own guard already failed it
      }
    }
  }
}
