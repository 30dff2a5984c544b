package dev.corral.internal.portable;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Teardown;
import dev.corral.internal.Child;
import dev.corral.internal.Outcome;
import dev.corral.internal.Signals;
import dev.corral.internal.Sink;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/**
 * One run of the portable tier, from {@code ProcessBuilder.start} to the verified end of its known
 * tree. The rules are the native tier's: the deadline, a cancel or the leader's exit with
 * leftovers starts the stop sequence (a normal termination to the leader and every known member,
 * the grace period, then SIGKILL until no known member is alive); the pipes are then drained
 * within a bound. After {@link #supervise}, every field is touched only on the service thread.
 *
 * <p>Threads per run: a virtual thread waits for the leader, one reads each piped output stream,
 * and one feeds stdin bytes; the JDK adds a platform thread of its own ("process reaper") per
 * live child. The JDK offers nothing that would watch many children from one thread.
 */
final class PortableRun implements Child {
  /** How long to wait for end of file on pipes once the known tree is gone. */
  private static final long DRAIN_NANOS = 500_000_000L;
  /** How often to repeat SIGKILL (each time after a fresh snapshot) while something is alive. */
  private static final long KILL_RETRY_NANOS = 20_000_000L;
  private static final long KILL_GIVE_UP_NANOS = 5_000_000_000L;
  private static final int SIGKILL = 9;

  private final Service service;
  private final Command command;
  private final Process process;
  private final ProcessHandle leader;
  private final RunTree tree;
  private final long startNanos;
  private final Signals signals;
  private final RunStreams streams;
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
  private final List<Long> neededKill = new ArrayList<>();
  private List<Long> leftRunning = List.of();
  private List<String> survivors = List.of();
  private ScheduledFuture<?> deadlineTimer;
  private ScheduledFuture<?> graceTimer;
  private ScheduledFuture<?> drainTimer;
  private ScheduledFuture<?> deliveryTimer;
  private boolean giveUpOnDeliveries; // cancelled while only consumers were left
  private Throwable consumerFailure;

  PortableRun(Service service, Command command, Process process, long startNanos, Signals signals) {
    this.service = service;
    this.command = command;
    this.process = process;
    this.leader = process.toHandle();
    this.tree = new RunTree(service.census(), leader);
    this.startNanos = startNanos;
    this.signals = signals;
    this.streams = new RunStreams(command, process,
        () -> service.execute(safely(this::maybeFinish)),
        failure -> service.execute(safely(() -> consumerFailed(failure))));
  }

  /** Starts the run's threads and hands it to the service; {@code done} gets the outcome there. */
  void supervise(Consumer<Outcome> done) {
    this.done = done;
    service.execute(safely(this::register));
    streams.start();
    Thread.ofVirtual().name("corral-wait").start(() -> {
      while (true) {
        try {
          int status = process.waitFor();
          service.execute(safely(() -> {
            if (!leaderExited) {
              record(status);
              afterLeaderExit();
            }
          }));
          return;
        } catch (InterruptedException e) {
          // nobody but Corral owns this thread: keep waiting
        }
      }
    });
  }

  @Override
  public long pid() {
    return process.pid();
  }

  Command command() {
    return command;
  }

  /**
   * @throws IllegalArgumentException for a signal the JDK cannot send (anything but TERM, KILL
   *     and 0); the run goes on untouched
   */
  @Override
  public void cancel(int signal, boolean resend) {
    if (!RunTree.sendable(signal)) {
      throw new IllegalArgumentException("portable containment cannot send "
          + RunTree.refusal(signal, signals) + "; cancel with one of those, or use a native containment");
    }
    service.execute(safely(() -> {
      if (finished) {
        return;
      }
      if (treeGone) {
        giveUpOnDeliveries = true; // only consumers are left: a cancel bounds their time
        if (deliveryTimer != null) {
          deliveryTimer.cancel(false);
          deliveryTimer = null;
        }
        maybeFinish();
        return;
      }
      if (!stopping) {
        cancelled = !leaderExited;
        stop(Teardown.Cause.CANCEL, signal);
      } else if (resend && !killing) {
        if (signal == SIGKILL) {
          killPhase(System.nanoTime());
        } else if (signal != 0) {
          service.census().scanSince(System.nanoTime());
          signalled.addAll(tree.terminate(!leaderExited));
        }
      }
    }));
  }

  // ---- service thread from here on ----

  private void register() {
    if (finished) {
      return;
    }
    service.register(this);
    command.deadline().ifPresent(d ->
        deadlineTimer = service.at(startNanos + d.toNanos(), safely(this::deadlinePassed)));
  }

  /** A snapshot was taken: a stop or an awaited leftover may be over. */
  void scanned() {
    if (!finished && !treeGone && leaderExited
        && (stopping || command.leftovers() == Command.Leftovers.AWAIT)) {
      safely(this::checkEmpty).run();
    }
  }

  /** Records the leader's status, if it has exited (its waiter's event may still be queued). */
  private boolean pollLeader() {
    if (!leaderExited && !process.isAlive()) {
      record(process.exitValue());
    }
    return leaderExited;
  }

  /**
   * The JDK reports a death by signal N as status 128+N on POSIX, so a status above 128 that
   * names a signal reads as that signal. Windows has only exit codes.
   */
  private void record(int status) {
    leaderExited = true;
    if (signals != Signals.WINDOWS && status > 128 && signals.name(status - 128) != null) {
      signal = status - 128;
    } else {
      exitCode = status;
    }
  }

  private void afterLeaderExit() {
    if (finished || treeGone) {
      return;
    }
    if (stopping) {
      if (!checkEmpty() && graceTimer == null && !killing) {
        // An unbounded grace ends with the leader: what it left gets the default grace.
        graceTimer = service.after(Command.DEFAULT_GRACE.toNanos(),
            safely(() -> killPhase(System.nanoTime())));
      }
      return;
    }
    // Only members known before the leader's exit can be found now: its own children were
    // reparented at that exit. If none is alive, nothing of the tree can be found any more.
    if (tree.isEmpty()) {
      treeGone();
      return;
    }
    switch (command.leftovers()) {
      case STOP -> stop(Teardown.Cause.LEFTOVERS, command.stopSignal());
      case LEAVE_RUNNING -> {
        service.census().scanSince(System.nanoTime());
        leftRunning = tree.alive().stream().map(ProcessHandle::pid).toList();
        treeGone();
      }
      case AWAIT -> checkEmpty(); // then after each snapshot, up to the deadline
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
    stop(Teardown.Cause.DEADLINE, command.stopSignal());
  }

  private void consumerFailed(Throwable failure) {
    if (consumerFailure == null) {
      consumerFailure = failure;
    }
    if (!finished && !treeGone && !stopping) {
      stop(Teardown.Cause.CONSUMER_FAILED, command.stopSignal());
    }
  }

  /** The stop sequence: {@code signal} to the leader and every member of a fresh snapshot, grace, KILL. */
  private void stop(Teardown.Cause why, int signal) {
    if (stopping || treeGone) {
      return;
    }
    stopping = true;
    cause = why;
    if (deadlineTimer != null) {
      deadlineTimer.cancel(false);
    }
    pollLeader();
    if (command.grace().isZero() || signal == SIGKILL) {
      killPhase(System.nanoTime()); // no grace: the stop signal would only delay SIGKILL
    } else {
      service.census().scanSince(System.nanoTime());
      if (signal != 0) {
        signalled.addAll(tree.terminate(!leaderExited));
      }
      if (!command.graceUnbounded() || leaderExited) {
        long grace = command.graceUnbounded() ? Command.DEFAULT_GRACE.toNanos() : command.grace().toNanos();
        graceTimer = service.after(grace, safely(() -> killPhase(System.nanoTime())));
      }
      checkEmpty();
    }
  }

  private void killPhase(long since) {
    if (treeGone) {
      return;
    }
    boolean first = !killing;
    killing = true;
    service.census().scanSince(System.nanoTime());
    List<Long> hit = tree.kill(!pollLeader());
    if (first) {
      neededKill.addAll(hit);
      signalled.addAll(hit);
    }
    if (checkEmpty()) {
      return;
    }
    if (System.nanoTime() - since > KILL_GIVE_UP_NANOS) {
      survivors = tree.describeAlive(!pollLeader());
      treeGone = true; // not gone: given up, and the result says so loudly
      drain();
      return;
    }
    graceTimer = service.after(KILL_RETRY_NANOS, safely(() -> killPhase(since)));
  }

  /** True once the tree is verified empty (and then moves on), so pollers stop. */
  private boolean checkEmpty() {
    if (treeGone || finished) {
      return true;
    }
    if (!pollLeader() || !tree.isEmpty()) {
      return false;
    }
    treeGone();
    return true;
  }

  /** Nothing known is alive, so nothing known can write: what still comes gets the drain bound. */
  private void treeGone() {
    if (treeGone) {
      return;
    }
    treeGone = true;
    if (graceTimer != null) {
      graceTimer.cancel(false);
    }
    drain();
  }

  private void drain() {
    if (!maybeFinish()) {
      drainTimer = service.after(DRAIN_NANOS, safely(() -> {
        streams.abandonReaders();
        maybeFinish();
      }));
    }
  }

  private boolean maybeFinish() {
    if (finished || !treeGone) {
      return finished;
    }
    if (streams.reading()) {
      return false;
    }
    if (!streams.deliveriesOver()) {
      awaitDeliveries();
      return false;
    }
    finish();
    return true;
  }

  /**
   * The pipes are closed and a consumer is still busy. Without a deadline or a stop, the run
   * waits for it; otherwise it gets until the deadline (if later) plus the drain bound.
   */
  private void awaitDeliveries() {
    if (deliveryTimer != null) {
      return;
    }
    long now = System.nanoTime();
    long at;
    if (stopping || giveUpOnDeliveries) {
      at = now + DRAIN_NANOS;
    } else if (command.deadline().isPresent()) {
      long deadlineAt = startNanos + command.deadline().get().toNanos();
      at = (deadlineAt - now > 0 ? deadlineAt : now) + DRAIN_NANOS;
    } else {
      return;
    }
    deliveryTimer = service.at(at, safely(streams::abandonDeliveries));
  }

  private void finish() {
    finished = true;
    cancelTimers();
    service.unregister(this);
    List<Long> ended = new ArrayList<>(signalled);
    ended.removeAll(neededKill);
    done.accept(outcome(streams.stdout(), streams.stderr(), ended, survivors, consumerFailure));
  }

  private Outcome outcome(Sink.Captured out, Sink.Captured err, List<Long> ended,
      List<String> left, Throwable failure) {
    return new Outcome(process.pid(), exitCode, signal, timedOut, cancelled,
        System.nanoTime() - startNanos, out, err, new Teardown(Containment.PORTABLE, cause,
            signalled.size(), ended, neededKill, leftRunning, left), failure);
  }

  /**
   * Wraps a step: if it throws (a bug, or the OS refusing something), the known tree is still
   * killed and the caller gets the failure instead of waiting forever.
   */
  private Runnable safely(Runnable step) {
    return () -> {
      try {
        step.run();
      } catch (RuntimeException | Error e) {
        if (!finished) {
          failed(e);
        }
      }
    };
  }

  private void failed(Throwable e) {
    finished = true;
    Runnable[] release = {() -> tree.kill(true), () -> service.unregister(this), this::cancelTimers,
        streams::abandonReaders, streams::abandonDeliveries};
    for (Runnable r : release) {
      try {
        r.run();
      } catch (RuntimeException | Error again) {
        e.addSuppressed(again);
      }
    }
    done.accept(outcome(Sink.Captured.NONE, Sink.Captured.NONE, List.of(),
        List.of("unknown: supervision failed: " + e), consumerFailure != null ? consumerFailure : e));
  }

  private void cancelTimers() {
    for (ScheduledFuture<?> t : new ScheduledFuture<?>[] {deadlineTimer, graceTimer, drainTimer, deliveryTimer}) {
      if (t != null) {
        t.cancel(false);
      }
    }
  }
}
