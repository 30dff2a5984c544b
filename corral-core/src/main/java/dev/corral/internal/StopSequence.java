package dev.corral.internal;

import dev.corral.Command;
import dev.corral.Teardown;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The rules of one run, the same for every backend: the deadline, a cancel, a consumer's failure
 * or the leader's exit with leftovers starts the stop; the stop signal and SIGCONT go to the whole
 * tree, then the grace, then SIGKILL again and again until the tree is verified empty (or, after
 * {@link #KILL_GIVE_UP_NANOS}, survivors are reported); then the pipes are drained within
 * {@link #DRAIN_NANOS}, consumers get their bounded time, and the outcome is handed over once.
 *
 * <p>A backend brings only what is its own: a {@link Scheduler} (its service thread and clock), a
 * {@link Leader}, its {@link Members} and its {@link Pipes}. Every method here runs on the scheduler's
 * thread (but {@link #finishHere}, before {@link #start}); events from other threads go through {@link #post}. A step that throws fails the run
 * (the tree is killed first), and the caller gets the failure instead of waiting forever.
 *
 * <p>Race: the leader's exit and the deadline can be due in the same instant. The deadline polls
 * the leader first, so a leader whose exit event is still queued counts as having beaten it.
 */
public final class StopSequence {
  /** How long pipes may stay open once the tree is gone (a process outside it may hold them). */
  public static final long DRAIN_NANOS = 500_000_000L;
  /** How long SIGKILL is repeated before the survivors are reported. */
  public static final long KILL_GIVE_UP_NANOS = 5_000_000_000L;

  private final Command command;
  private final long startNanos;
  /** When the deadline passes, on the scheduler's clock; {@link Long#MAX_VALUE} without one. */
  private final long deadlineAt;
  private final Scheduler scheduler;
  private final Leader leader;
  private final Members tree;
  private final Pipes streams;
  private final int killSignal;
  private final long killRetryNanos;
  private Consumer<Outcome> done;

  private boolean leaderExited;
  private int exitCode = -1;
  private int signal;
  private boolean timedOut;
  private boolean cancelled;
  private Teardown.Cause cause = Teardown.Cause.NONE;
  private boolean stopping;
  private boolean killing;
  private boolean treeGone;
  private boolean finished;
  private final Set<Long> signalled = new LinkedHashSet<>();
  private final Set<Long> neededKill = new LinkedHashSet<>();
  private List<Long> leftRunning = List.of();
  private List<String> survivors = List.of();
  private Scheduler.Timer deadlineTimer;
  private Scheduler.Timer graceTimer;
  private Scheduler.Timer drainTimer;
  private Scheduler.Timer consumerTimer;
  private long consumerTimerAt;
  /** Cancelled while only consumers were left: they get the drain bound, then are abandoned. */
  private boolean giveUpOnConsumers;
  private Throwable consumerFailure;
  private final Events.Teardown runEvent = Events.runBegins();
  private Events.Stop stopEvent;

  private static final System.Logger LOG = System.getLogger(StopSequence.class.getName());

  /**
   * @param killSignal this OS's number for SIGKILL (a stop with it skips the grace)
   * @param killRetryNanos how often SIGKILL is repeated while something survives
   */
  public StopSequence(Command command, long startNanos, Scheduler scheduler, Leader leader,
      Members tree, Pipes streams, int killSignal, long killRetryNanos) {
    this.command = command;
    this.startNanos = startNanos;
    this.deadlineAt = command.deadline().map(d -> startNanos + d.toNanos()).orElse(Long.MAX_VALUE);
    this.scheduler = scheduler;
    this.leader = leader;
    this.tree = tree;
    this.streams = streams;
    this.killSignal = killSignal;
    this.killRetryNanos = killRetryNanos;
  }

  /**
   * Hands the run to the service thread: {@code register} (the backend's watches) runs there
   * first, then the deadline is set. {@code done} gets the outcome once, there. With {@code
   * armed}, the backend has made sure that the run's first event wakes the service thread, which
   * then need not be woken for this before the deadline.
   */
  public void start(Runnable register, boolean armed, Consumer<Outcome> done) {
    this.done = done;
    Runnable first = guard(() -> {
      if (!finished) {
        register.run();
        if (command.deadline().isPresent()) {
          deadlineTimer = scheduler.at(deadlineAt, guard(this::deadlinePassed));
        }
      }
    });
    if (armed) {
      scheduler.executeQuietly(first, deadlineAt);
    } else {
      scheduler.execute(first);
    }
  }

  /**
   * Before {@link #start}, on the one thread that holds the run until then (a caller about to
   * wait for it): if the leader has exited and left no member and no pipe, finishes the run on
   * this thread, {@code done} included, and returns true. Otherwise it changes nothing and
   * returns false, and the holder hands the run over with {@link #start}. Needs the backend's
   * {@link Members#isEmptyFromAnyThread}; nothing here waits for the service thread.
   */
  public boolean finishHere(Consumer<Outcome> done) {
    Leader.Exit exit = leader.poll();
    if (exit == null || streams.readersOpen() || !tree.isEmptyFromAnyThread()) {
      return false;
    }
    this.done = done;
    leaderExited = true;
    exitCode = exit.exitCode();
    signal = exit.signal();
    guard(this::treeGone).run();
    return true;
  }

  /** When the deadline passes, on the scheduler's clock; {@link Long#MAX_VALUE} without one. */
  public long deadlineAt() {
    return deadlineAt;
  }

  /** Runs {@code step} on the service thread, guarded; from any thread. */
  public void post(Runnable step) {
    scheduler.execute(guard(step));
  }

  public boolean finished() {
    return finished;
  }

  /** The leader may have exited (its watch fired). */
  public void leaderChanged() {
    if (!leaderExited && pollLeader()) {
      afterLeaderExit();
    }
  }

  /** A pipe closed or a delivery is over: the run may be able to finish. */
  public void streamsChanged() {
    maybeFinish();
  }

  /** The caller cancels with {@code signal}; once stopping, {@code resend} sends it again. */
  public void cancel(int signal, boolean resend) {
    if (finished) {
      return;
    }
    if (treeGone) {
      // Only consumers are left to finish: a cancel bounds their time as a stop does.
      giveUpOnConsumers = true;
      maybeFinish();
      return;
    }
    if (!stopping) {
      cancelled = !leaderExited;
      stop(Teardown.Cause.CANCEL, signal);
    } else if (resend && !killing) {
      if (signal == killSignal) {
        killPhase(scheduler.nanoTime());
      } else {
        tree.stop(signal, signalled::addAll);
      }
    }
  }

  /** A consumer threw: the run fails with that exception, and its tree is stopped as on a cancel. */
  public void consumerFailed(Throwable failure) {
    if (consumerFailure == null) {
      consumerFailure = failure;
    }
    if (!finished && !treeGone && !stopping) {
      stop(Teardown.Cause.CONSUMER_FAILED, Signals.here(command.stopSignal()));
    }
  }

  private boolean pollLeader() {
    if (!leaderExited) {
      Leader.Exit exit = leader.poll();
      if (exit == null) {
        return false;
      }
      leaderExited = true;
      exitCode = exit.exitCode();
      signal = exit.signal();
    }
    return true;
  }

  private void afterLeaderExit() {
    if (finished || treeGone) {
      return;
    }
    if (stopping) {
      if (!checkEmpty() && graceTimer == null && !killing) {
        // An unbounded grace ends with the leader: what it left gets the default grace.
        graceTimer = after(Command.DEFAULT_GRACE.toNanos(), this::startKilling);
      }
      return;
    }
    if (tree.isEmpty()) {
      treeGone();
      return;
    }
    switch (command.leftovers()) {
      case STOP -> stop(Teardown.Cause.LEFTOVERS, Signals.here(command.stopSignal()));
      case LEAVE_RUNNING -> {
        leftRunning = tree.release();
        treeGone();
      }
      case AWAIT -> tree.onMaybeEmpty(this::checkEmpty);
    }
  }

  private void deadlinePassed() {
    if (finished || stopping) {
      return;
    }
    if (!leaderExited && pollLeader()) {
      // The leader exited in the same instant and its event is still queued: it beat the deadline.
      afterLeaderExit();
      if (finished || stopping || treeGone) {
        return;
      }
    }
    timedOut = !leaderExited;
    stop(Teardown.Cause.DEADLINE, Signals.here(command.stopSignal()));
  }

  /** {@code stopSignal} and SIGCONT to the whole tree; the grace counts from the signal. */
  private void stop(Teardown.Cause why, int stopSignal) {
    if (stopping || treeGone) {
      return;
    }
    stopping = true;
    cause = why;
    cancel(deadlineTimer);
    stopEvent = Events.stopBegins(why, stopSignal, leader.pid());
    pollLeader();
    if (command.grace().isZero() || stopSignal == killSignal) {
      startKilling(); // no grace: the stop signal would only delay SIGKILL
    } else {
      if (!leaderExited) {
        signalled.add(leader.pid());
      }
      tree.stop(stopSignal, members -> {
        signalled.addAll(members);
        if (graceTimer != null || killing || treeGone) {
          return;
        }
        if (!command.graceUnbounded()) {
          graceTimer = after(command.grace().toNanos(), this::startKilling);
        } else if (leaderExited) {
          graceTimer = after(Command.DEFAULT_GRACE.toNanos(), this::startKilling);
        }
      });
    }
    if (!treeGone) {
      tree.onMaybeEmpty(this::checkEmpty);
    }
  }

  private void startKilling() {
    killPhase(scheduler.nanoTime());
  }

  private void killPhase(long since) {
    if (treeGone) {
      return;
    }
    killing = true;
    boolean leaderAlive = !pollLeader();
    List<Long> alive = tree.kill();
    if (neededKill.isEmpty()) {
      neededKill.addAll(alive);
      if (leaderAlive) {
        neededKill.add(leader.pid());
      }
      signalled.addAll(neededKill);
    }
    if (checkEmpty()) {
      return;
    }
    if (scheduler.nanoTime() - since > KILL_GIVE_UP_NANOS) {
      List<String> left = new ArrayList<>(tree.describe());
      if (!pollLeader()) {
        left.add(leader.pid() + " (leader)");
      }
      survivors = left;
      treeGone = true; // not gone: given up, and the result says so loudly
      drain();
      return;
    }
    graceTimer = after(killRetryNanos, () -> killPhase(since));
  }

  /** True once the tree is verified empty (and then moves on), so pollers stop. */
  private boolean checkEmpty() {
    if (treeGone || finished) {
      return true;
    }
    if (!leaderExited || !tree.isEmpty()) {
      return false;
    }
    treeGone();
    return true;
  }

  private void treeGone() {
    if (treeGone) {
      return;
    }
    treeGone = true;
    cancel(graceTimer);
    Events.stopEnds(stopEvent, neededKill.size());
    stopEvent = null;
    drain();
  }

  /** Nothing in the tree can write any more: read what is left, within a bound. */
  private void drain() {
    streams.drain();
    if (streams.readersOpen()) {
      drainTimer = after(DRAIN_NANOS, () -> {
        streams.closeReaders();
        maybeFinish();
      });
    }
    maybeFinish();
  }

  private void maybeFinish() {
    if (finished || !treeGone) {
      return;
    }
    if (streams.readersOpen()) {
      if (streams.onlyHeldUpByConsumers()) {
        awaitConsumers(); // a paused pipe waits on its consumer: bound that wait too
      }
      return;
    }
    if (!streams.consumersDone()) {
      awaitConsumers();
      return;
    }
    finish();
  }

  /**
   * The pipes are held up by consumers still busy. Without a deadline or a stop, the run waits for
   * them. Otherwise the deadline holds: they get until the deadline (if later) plus the drain
   * bound, then delivery is abandoned. A later call may only bring that time forward.
   */
  private void awaitConsumers() {
    long now = scheduler.nanoTime();
    long at;
    if (stopping || giveUpOnConsumers) {
      at = now + DRAIN_NANOS;
    } else if (command.deadline().isPresent()) {
      at = (deadlineAt - now > 0 ? deadlineAt : now) + DRAIN_NANOS;
    } else {
      return;
    }
    if (consumerTimer != null) {
      if (consumerTimerAt - at <= 0) {
        return;
      }
      consumerTimer.cancel();
    }
    consumerTimerAt = at;
    consumerTimer = scheduler.at(at, guard(() -> {
      streams.abandonConsumers();
      maybeFinish();
    }));
  }

  private void finish() {
    finished = true;
    cancelTimers();
    leader.release(leaderExited);
    tree.close();
    List<Long> ended = new ArrayList<>(signalled);
    ended.removeAll(neededKill);
    if (!survivors.isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, "{0}: {1} processes SURVIVED the stop: {2}", command,
          survivors.size(), survivors);
    }
    Outcome o = outcome(streams.stdout(), streams.stderr(), ended, survivors,
        consumerFailure != null ? consumerFailure : streams.consumerFailure());
    Events.runEnds(runEvent, o);
    done.accept(o);
  }

  private Outcome outcome(Sink.Captured out, Sink.Captured err, List<Long> ended,
      List<String> left, Throwable failure) {
    return new Outcome(leader.pid(), exitCode, signal, timedOut, cancelled,
        scheduler.nanoTime() - startNanos, out, err, new Teardown(tree.containment(), tree.placement(), cause,
            signalled.size(), ended, new ArrayList<>(neededKill), leftRunning, left), failure);
  }

  /**
   * Wraps a step of the run: if it throws (a bug, or the OS refusing something), the tree is still
   * killed and the caller gets the failure instead of waiting forever.
   */
  public Runnable guard(Runnable step) {
    return () -> {
      try {
        step.run();
      } catch (RuntimeException | Error e) {
        if (finished) {
          throw e;
        }
        failed(e);
      }
    };
  }

  private void failed(Throwable e) {
    finished = true;
    List<Runnable> steps = new ArrayList<>();
    steps.add(tree::kill);
    steps.add(tree::close);
    steps.add(this::cancelTimers);
    steps.addAll(streams.releaseSteps());
    steps.add(() -> leader.release(false));
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException | Error again) {
        if (again != e) {
          e.addSuppressed(again);
        }
      }
    }
    done.accept(outcome(Sink.Captured.NONE, Sink.Captured.NONE, List.of(),
        List.of("unknown: supervision failed: " + e), consumerFailure != null ? consumerFailure : e));
  }

  private Scheduler.Timer after(long nanos, Runnable step) {
    return scheduler.at(scheduler.nanoTime() + nanos, guard(step));
  }

  private void cancelTimers() {
    for (Scheduler.Timer t : new Scheduler.Timer[] {deadlineTimer, graceTimer, drainTimer, consumerTimer}) {
      cancel(t);
    }
  }

  private static void cancel(Scheduler.Timer t) {
    if (t != null) {
      t.cancel();
    }
  }
}
