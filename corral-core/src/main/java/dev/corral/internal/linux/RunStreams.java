package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.internal.Delivery;
import dev.corral.internal.Sink;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A run's pipes, on the service thread: stdin fed from its bytes, stdout and stderr read into
 * their sinks, then, once the tree is gone, the bounded drain and the wait for consumers.
 *
 * <p>Once the tree is gone nothing in it can write, but a process outside it (left running on
 * purpose, or handed the pipe) may hold a pipe open: the drain gives end of file {@link
 * #DRAIN_NANOS}, then closes. A consumer's delivery is waited for as the run decides ({@link
 * #awaitConsumers}), then abandoned.
 */
final class RunStreams {
  /** How long to wait for end of file on pipes once the tree is gone. */
  static final long DRAIN_NANOS = 500_000_000L;

  private final Supervisor supervisor;
  private final Command command;
  private final PipeReader stdout;
  private final PipeReader stderr;
  private final PipeWriter stdin;
  private Supervisor.Timer drainTimer;
  private Supervisor.Timer consumerTimer;

  /**
   * @param changed told, on the service thread, when a pipe closed or a delivery is over
   * @param consumers told when a consumer threw, and when a delivery is over (any thread)
   */
  RunStreams(Supervisor supervisor, Command command, Spawner.Spawned spawned, Runnable changed,
      Delivery.Listener consumers) {
    this.supervisor = supervisor;
    this.command = command;
    this.stdout = spawned.stdout() < 0 ? null
        : new PipeReader(supervisor, spawned.stdout(), sink(command.stdout(), consumers), changed);
    this.stderr = spawned.stderr() < 0 ? null
        : new PipeReader(supervisor, spawned.stderr(), sink(command.stderr(), consumers), changed);
    this.stdin = spawned.stdin() < 0 ? null
        : new PipeWriter(supervisor, spawned.stdin(), ((Input.Bytes) command.stdin()).data());
  }

  private Sink sink(Output output, Delivery.Listener consumers) {
    Sink sink = Sink.of(output, command.consumerExecutor());
    if (sink instanceof Delivery d) {
      d.listen(consumers);
      d.forbidInline(); // bytes come from the service thread
    }
    return sink;
  }

  /** Starts feeding and reading; {@code guard} wraps each step so a failure fails its run. */
  void watch(UnaryOperator<Runnable> guard) {
    for (PipeReader r : readers()) {
      r.watch(guard);
    }
    if (stdin != null) {
      stdin.watch(guard);
    }
  }

  /** The tree is gone: closes stdin, reads what is there, and bounds the wait for the rest. */
  void drain(UnaryOperator<Runnable> guard) {
    if (stdin != null) {
      stdin.close();
    }
    for (PipeReader r : readers()) {
      r.drain(Integer.MAX_VALUE);
    }
    if (readersOpen()) {
      drainTimer = supervisor.after(DRAIN_NANOS, guard.apply(() -> {
        for (PipeReader r : readers()) {
          r.closeSoon();
        }
      }));
    }
  }

  boolean readersOpen() {
    for (PipeReader r : readers()) {
      if (r.isOpen()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether every open pipe is one a busy consumer holds up: nothing more comes from those until
   * the consumer catches up or is abandoned.
   */
  boolean onlyHeldUpByConsumers() {
    for (PipeReader r : readers()) {
      if (r.isOpen() && !r.isPaused()) {
        return false;
      }
    }
    return true;
  }

  /** The first exception a consumer threw, or null. */
  Throwable consumerFailure() {
    for (PipeReader r : readers()) {
      if (r.sink() instanceof Delivery d && d.failure() != null) {
        return d.failure();
      }
    }
    return null;
  }

  /** Whether every consumer has seen its stream's end, failed, or been abandoned. */
  boolean consumersDone() {
    for (PipeReader r : readers()) {
      if (r.sink() instanceof Delivery d && !d.isOver()) {
        return false;
      }
    }
    return true;
  }

  /** Gives busy consumers until {@code atNanos}, then abandons them; a later call moves it. */
  void awaitConsumers(long atNanos, UnaryOperator<Runnable> guard) {
    if (consumerTimer != null) {
      if (consumerTimer.atNanos - atNanos <= 0) {
        return;
      }
      consumerTimer.cancel();
    }
    consumerTimer = supervisor.at(atNanos, guard.apply(this::abandonConsumers));
  }

  private void abandonConsumers() {
    for (PipeReader r : readers()) {
      if (r.sink() instanceof Delivery d) {
        d.abandon(command.consumerExecutor() == Command.DEFAULT_CONSUMERS);
      }
    }
  }

  void cancelTimers() {
    for (Supervisor.Timer t : new Supervisor.Timer[] {drainTimer, consumerTimer}) {
      if (t != null) {
        t.cancel();
      }
    }
  }

  /** After a failure: each step that gives back a descriptor or ends a delivery, to run alone. */
  List<Runnable> releaseSteps() {
    List<Runnable> steps = new ArrayList<>();
    steps.add(this::cancelTimers);
    if (stdin != null) {
      steps.add(stdin::close);
    }
    for (PipeReader r : readers()) {
      steps.add(r::close);
    }
    steps.add(this::abandonConsumers);
    return steps;
  }

  Sink.Captured stdoutCaptured() {
    return stdout == null ? Sink.Captured.NONE : stdout.sink().captured();
  }

  Sink.Captured stderrCaptured() {
    return stderr == null ? Sink.Captured.NONE : stderr.sink().captured();
  }

  private List<PipeReader> readers() {
    List<PipeReader> list = new ArrayList<>(2);
    if (stdout != null) {
      list.add(stdout);
    }
    if (stderr != null) {
      list.add(stderr);
    }
    return list;
  }
}
