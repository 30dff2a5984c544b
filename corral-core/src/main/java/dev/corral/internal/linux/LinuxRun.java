package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.Teardown;
import dev.corral.internal.Child;
import dev.corral.internal.Delivery;
import dev.corral.internal.Outcome;
import dev.corral.internal.ProcStat;
import dev.corral.internal.Sink;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One run, from spawn to verified end. After {@link #start} returns, every field is touched only
 * on the service thread.
 *
 * <p>Order of the end: the leader exits or the stop sequence runs; the tree is verified empty;
 * pipes are drained (bounded, since a process outside the tree could hold them); then the leader
 * is reaped, which frees its pid, group id and session id, and the cgroup is removed.
 */
final class LinuxRun implements Child {
  /** How often to repeat SIGKILL while something survives, and for how long. */
  private static final long KILL_RETRY_NANOS = 10_000_000L;
  private static final long KILL_GIVE_UP_NANOS = 5_000_000_000L;

  private final Supervisor supervisor;
  private final Command command;
  private Consumer<Outcome> done;
  private final long startNanos;
  private final int pid;
  private final int pidfd;
  private final Tree tree;
  private final RunStreams streams;

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
  private Supervisor.Timer deadlineTimer;
  private Supervisor.Timer graceTimer;
  /** Cancelled while only consumers were left: they get the drain bound, then are abandoned. */
  private boolean giveUpOnConsumers;
  /** The first consumer failure; the run then fails with it. */
  private Throwable consumerFailure;
  /** Guards {@link #pidfd} against being closed while a waiting caller duplicates it. */
  private final Object pidfdLock = new Object();
  private boolean pidfdClosed;

  /** How many runs the platform supervises now, this one included. */
  private final java.util.function.IntSupplier runsInFlight;

  LinuxRun(Supervisor supervisor, Command command, long startNanos, Spawner.Spawned spawned,
      Tree tree, java.util.function.IntSupplier runsInFlight) {
    this.runsInFlight = runsInFlight;
    this.supervisor = supervisor;
    this.command = command;
    this.startNanos = startNanos;
    this.pid = spawned.pid();
    this.pidfd = spawned.pidfd();
    this.tree = tree;
    this.streams = new RunStreams(supervisor, command, spawned, this::maybeFinish,
        new Delivery.Listener() {
          @Override
          public void failed(Throwable failure) {
            supervisor.execute(safely(() -> consumerFailed(failure)));
          }

          @Override
          public void over() {
            supervisor.execute(safely(LinuxRun.this::maybeFinish));
          }
        });
  }

  /** Hand the run to the service thread; {@code done} gets the outcome once, there. */
  void supervise(Consumer<Outcome> done) {
    this.done = done;
    supervisor.execute(safely(this::register));
  }

  @Override
  public long pid() {
    return pid;
  }

  /**
   * Polls a duplicate of the pidfd (the service thread may close the original meanwhile). True
   * only when the exit came during the wait and this is the only run in flight: then the service
   * thread is finishing this run right now, and nothing else.
   */
  @Override
  public boolean awaitLeader(int millis) {
    int fd;
    synchronized (pidfdLock) {
      if (pidfdClosed) {
        return false;
      }
      fd = LibC.fcntlQuiet(pidfd, LibC.F_DUPFD_CLOEXEC, 0);
    }
    if (fd < 0) {
      return false;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment poll = arena.allocate(Layouts.POLLFD);
      Layouts.setPollFd(poll, fd, LibC.POLLIN);
      return LibC.poll(poll, 1, millis) > 0 && runsInFlight.getAsInt() == 1;
    } finally {
      LibC.close(fd);
    }
  }

  Command command() {
    return command;
  }

  @Override
  public void cancel(int signal, boolean resend) {
    supervisor.execute(safely(() -> {
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
        if (signal == LibC.SIGKILL) {
          killPhase(System.nanoTime());
        } else {
          tree.stop(signal, this::signalledAll);
        }
      }
    }));
  }

  // ---- service thread from here on ----

  private void register() {
    supervisor.watch(pidfd, LibC.EPOLLIN, events -> safely(this::leaderExited).run());
    streams.watch(this::safely);
    command.deadline().ifPresent(d ->
        deadlineTimer = supervisor.at(startNanos + d.toNanos(), safely(this::deadlinePassed)));
  }

  /**
   * Reads the leader's status if it has exited, without reaping it (WNOWAIT): the unreaped leader
   * keeps its pid, group id and session id from being reused until the tree is gone.
   */
  private boolean pollLeader() {
    if (leaderExited) {
      return true;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(Layouts.SIGINFO);
      LibC.waitidPidfd(pidfd, info, LibC.WEXITED | LibC.WNOWAIT | LibC.WNOHANG);
      if (Layouts.siPid(info) == 0) {
        return false;
      }
      int code = Layouts.siCode(info);
      int status = Layouts.siStatus(info);
      if (code == LibC.CLD_EXITED) {
        exitCode = status;
      } else {
        signal = status;
      }
    }
    leaderExited = true;
    supervisor.unwatch(pidfd);
    return true;
  }

  /** The pidfd became readable. */
  private void leaderExited() {
    if (!leaderExited && pollLeader()) {
      afterLeaderExit();
    }
  }

  private void afterLeaderExit() {
    if (stopping) {
      if (!checkEmpty() && graceTimer == null && !killing) {
        // An unbounded grace ends with the leader: what it left gets the default grace.
        graceTimer = supervisor.after(Command.DEFAULT_GRACE.toNanos(),
            safely(() -> killPhase(System.nanoTime())));
      }
      return;
    }
    if (tree.isEmpty()) {
      treeGone();
      return;
    }
    switch (command.leftovers()) {
      case STOP -> stop(Teardown.Cause.LEFTOVERS, command.stopSignal());
      case LEAVE_RUNNING -> {
        leftRunning = pids(tree.release());
        Watchdog.leave(leftRunning);
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
    stop(Teardown.Cause.DEADLINE, command.stopSignal());
  }

  /** A consumer threw: the run fails with that exception, and its tree is stopped as on a cancel. */
  private void consumerFailed(Throwable failure) {
    if (consumerFailure == null) {
      consumerFailure = failure;
    }
    if (!finished && !treeGone && !stopping) {
      stop(Teardown.Cause.CONSUMER_FAILED, command.stopSignal());
    }
  }

  /** The stop sequence: {@code signal} and SIGCONT to the whole tree, grace, then SIGKILL until empty. */
  private void stop(Teardown.Cause why, int signal) {
    if (stopping || treeGone) {
      return;
    }
    stopping = true;
    cause = why;
    if (deadlineTimer != null) {
      deadlineTimer.cancel();
    }
    if (command.grace().isZero() || signal == LibC.SIGKILL) {
      // No grace: the stop signal would only delay SIGKILL.
      killPhase(System.nanoTime());
    } else {
      // The grace counts from the signal, which a cgroup sends once its freeze has taken hold.
      tree.stop(signal, members -> {
        signalledAll(members);
        if (graceTimer != null || killing || treeGone) {
          return;
        }
        if (!command.graceUnbounded()) {
          graceTimer = supervisor.after(command.grace().toNanos(),
              safely(() -> killPhase(System.nanoTime())));
        } else if (leaderExited) {
          graceTimer = supervisor.after(Command.DEFAULT_GRACE.toNanos(),
              safely(() -> killPhase(System.nanoTime())));
        }
      });
      if (!leaderExited) {
        signalled.add((long) pid);
      }
    }
    if (!treeGone) {
      tree.onMaybeEmpty(this::checkEmpty);
    }
  }

  private void signalledAll(List<ProcStat> members) {
    for (ProcStat p : members) {
      signalled.add((long) p.pid());
    }
  }

  private void killPhase(long since) {
    if (treeGone) {
      return;
    }
    killing = true;
    List<Integer> alive = tree.kill();
    if (neededKill.isEmpty()) {
      for (int p : alive) {
        neededKill.add((long) p);
        signalled.add((long) p);
      }
      if (!leaderExited) {
        neededKill.add((long) pid);
        signalled.add((long) pid);
      }
    }
    if (checkEmpty()) {
      return;
    }
    if (System.nanoTime() - since > KILL_GIVE_UP_NANOS) {
      List<String> left = new ArrayList<>();
      for (ProcStat p : tree.members()) {
        left.add(p.pid() + " (" + p.comm() + ")");
      }
      if (!leaderExited) {
        left.add(pid + " (leader)");
      }
      survivors = left;
      treeGone = true; // not gone: given up, and the result says so loudly
      drain();
      return;
    }
    graceTimer = supervisor.after(KILL_RETRY_NANOS, safely(() -> killPhase(since)));
  }

  /** Returns true once the tree is verified empty (and then moves on), so pollers stop. */
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
    if (graceTimer != null) {
      graceTimer.cancel();
    }
    drain();
  }

  /** The tree is gone: nothing in it can write any more. Read what is left, within a bound. */
  private void drain() {
    streams.drain(this::safely);
    maybeFinish();
  }

  private boolean maybeFinish() {
    if (finished || !treeGone) {
      return finished;
    }
    if (streams.readersOpen()) {
      if (streams.onlyHeldUpByConsumers()) {
        awaitConsumers(); // a paused pipe waits on its consumer: bound that wait too
      }
      return false;
    }
    if (!streams.consumersDone()) {
      awaitConsumers();
      return false;
    }
    finish();
    return true;
  }

  /**
   * The pipes are closed, and a consumer is still busy with what they held. Without a deadline or
   * a stop, the run waits for it. Otherwise the deadline holds: the run waits until its deadline
   * (if that is later) plus the drain bound, then abandons delivery.
   */
  private void awaitConsumers() {
    long now = System.nanoTime();
    if (stopping || giveUpOnConsumers) {
      streams.awaitConsumers(now + RunStreams.DRAIN_NANOS, this::safely);
    } else if (command.deadline().isPresent()) {
      long deadlineAt = startNanos + command.deadline().get().toNanos();
      streams.awaitConsumers((deadlineAt - now > 0 ? deadlineAt : now) + RunStreams.DRAIN_NANOS,
          this::safely);
    }
  }

  private void finish() {
    finished = true;
    if (deadlineTimer != null) {
      deadlineTimer.cancel();
    }
    streams.cancelTimers();
    if (!leaderExited) {
      // Only when supervision gave up with the leader alive; close() must not block on it.
      supervisor.unwatch(pidfd);
    } else {
      try (Arena arena = Arena.ofConfined()) {
        LibC.waitidPidfd(pidfd, arena.allocate(Layouts.SIGINFO), LibC.WEXITED);
      }
    }
    synchronized (pidfdLock) {
      pidfdClosed = true;
      LibC.close(pidfd);
    }
    tree.close();
    long duration = System.nanoTime() - startNanos;
    List<Long> ended = new ArrayList<>(signalled);
    ended.removeAll(neededKill);
    Teardown teardown = new Teardown(tree.containment(), cause, signalled.size(), ended,
        neededKill, leftRunning, survivors);
    done.accept(new Outcome(pid, exitCode, signal, timedOut, cancelled, duration,
        streams.stdoutCaptured(), streams.stderrCaptured(), teardown,
        consumerFailure != null ? consumerFailure : streams.consumerFailure()));
  }

  /**
   * Wraps a step of the run: if it throws (a bug, or the kernel refusing something), the tree is
   * still killed and the caller gets the failure instead of waiting forever.
   */
  private Runnable safely(Runnable step) {
    return () -> {
      try {
        step.run();
      } catch (RuntimeException | Error e) {
        if (finished) {
          throw e;
        }
        finished = true;
        try {
          tree.kill();
        } catch (RuntimeException | Error again) {
          if (again != e) {
            e.addSuppressed(again);
          }
        }
        releaseQuietly(e);
        Throwable failure = consumerFailure != null ? consumerFailure : e;
        done.accept(new Outcome(pid, exitCode, signal, timedOut, cancelled,
            System.nanoTime() - startNanos, Sink.Captured.NONE, Sink.Captured.NONE,
            new Teardown(tree.containment(), cause, signalled.size(), List.of(), neededKill,
                leftRunning, List.of("unknown: supervision failed: " + e)), failure));
      }
    };
  }

  /** After a failure: give back descriptors and timers, each step on its own. */
  private void releaseQuietly(Throwable failure) {
    List<Runnable> steps = new ArrayList<>();
    for (Supervisor.Timer t : new Supervisor.Timer[] {deadlineTimer, graceTimer}) {
      if (t != null) {
        steps.add(t::cancel);
      }
    }
    steps.addAll(streams.releaseSteps());
    steps.add(() -> supervisor.unwatch(pidfd));
    steps.add(() -> {
      synchronized (pidfdLock) {
        if (!pidfdClosed) {
          pidfdClosed = true;
          LibC.close(pidfd);
        }
      }
    });
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException | Error again) {
        if (again != failure) {
          failure.addSuppressed(again);
        }
      }
    }
  }

  private static List<Long> pids(List<ProcStat> members) {
    List<Long> out = new ArrayList<>(members.size());
    for (ProcStat p : members) {
      out.add((long) p.pid());
    }
    return out;
  }
}
