package dev.corral.internal;

import dev.corral.Containment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Fakes of what a backend gives a {@link StopSequence}: a clock moved by hand, a tree as data. */
final class FakeRun {
  private FakeRun() {}

  /** A service thread: tasks queue, timers fire when the test moves time. */
  static final class Clock implements Scheduler {
    long now;
    final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    final PriorityQueue<FakeTimer> due = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    final List<FakeTimer> timers = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void execute(Runnable step) {
      queue.add(step);
    }

    @Override
    public Scheduler.Timer at(long atNanos, Runnable step) {
      FakeTimer t = new FakeTimer(atNanos, step);
      due.add(t);
      timers.add(t);
      return t;
    }

    void runQueued() {
      Runnable r;
      while ((r = queue.poll()) != null) {
        r.run();
      }
    }

    void advance(long nanos) {
      long until = now + nanos;
      runQueued();
      while (!due.isEmpty() && due.peek().at <= until) {
        FakeTimer t = due.poll();
        if (!t.cancelled) {
          now = Math.max(now, t.at);
          t.step.run();
          runQueued();
        }
      }
      now = until;
    }
  }

  static final class FakeTimer implements Scheduler.Timer {
    final long at;
    final Runnable step;
    boolean cancelled;

    FakeTimer(long at, Runnable step) {
      this.at = at;
      this.step = step;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  static final class FakeLeader implements Leader {
    Leader.Exit exit;
    final List<Boolean> released = new ArrayList<>();

    private final long pid;

    FakeLeader(long pid) {
      this.pid = pid;
    }

    @Override
    public long pid() {
      return pid;
    }

    @Override
    public Leader.Exit poll() {
      return exit;
    }

    @Override
    public void release(boolean reap) {
      released.add(reap);
    }
  }

  /** Members by pid, each true when it ends on the stop signal. */
  static final class FakeTree implements Members {
    final Map<Long, Boolean> members = new LinkedHashMap<>();
    final List<Integer> signals = new ArrayList<>();
    final List<Long> killedAt = new ArrayList<>();
    int kills;
    int closed;
    boolean unkillable;
    boolean stopThrows;
    FakeLeader leaderDiesOnStop;
    Runnable leaderDied = () -> {};
    private BooleanSupplier listener;
    private final Clock clock;

    FakeTree(Clock clock) {
      this.clock = clock;
    }

    @Override
    public Containment containment() {
      return Containment.PORTABLE;
    }

    @Override
    public boolean isEmpty() {
      return members.isEmpty();
    }

    @Override
    public void stop(int signal, Consumer<List<Long>> then) {
      if (stopThrows) {
        throw new IllegalStateException("refused");
      }
      signals.add(signal);
      List<Long> hit = new ArrayList<>(members.keySet());
      members.values().removeIf(dies -> dies);
      if (leaderDiesOnStop != null) {
        leaderDiesOnStop.exit = new Leader.Exit(-1, signal);
        leaderDied.run();
      }
      then.accept(hit);
      tellListener();
    }

    @Override
    public List<Long> kill() {
      kills++;
      killedAt.add(clock.now);
      List<Long> hit = new ArrayList<>(members.keySet());
      if (!unkillable) {
        members.clear();
      }
      return hit;
    }

    @Override
    public void onMaybeEmpty(BooleanSupplier listener) {
      this.listener = listener;
      tellListener();
    }

    void tellListener() {
      BooleanSupplier l = listener;
      if (l != null && l.getAsBoolean()) {
        listener = null;
      }
    }

    @Override
    public List<Long> release() {
      List<Long> left = new ArrayList<>(members.keySet());
      members.clear();
      return left;
    }

    @Override
    public List<String> describe() {
      return members.keySet().stream().map(p -> p + " (fake)").toList();
    }

    @Override
    public void close() {
      closed++;
    }

  }

  static final class FakeStreams implements Pipes {
    boolean open;
    boolean drained;
    boolean consumersDone = true;
    boolean abandoned;

    @Override
    public void drain() {
      drained = true;
    }

    @Override
    public boolean readersOpen() {
      return open;
    }

    @Override
    public boolean onlyHeldUpByConsumers() {
      return false;
    }

    @Override
    public void closeReaders() {
      open = false;
    }

    @Override
    public boolean consumersDone() {
      return consumersDone;
    }

    @Override
    public void abandonConsumers() {
      abandoned = true;
      consumersDone = true;
    }

    @Override
    public Throwable consumerFailure() {
      return null;
    }

    @Override
    public Sink.Captured stdout() {
      return Sink.Captured.NONE;
    }

    @Override
    public Sink.Captured stderr() {
      return Sink.Captured.NONE;
    }

    @Override
    public List<Runnable> releaseSteps() {
      return List.of();
    }
  }
}
