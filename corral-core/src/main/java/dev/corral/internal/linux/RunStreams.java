package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.internal.Delivery;
import dev.corral.internal.PipeStream;
import dev.corral.internal.Pipes;
import dev.corral.internal.Sink;
import dev.corral.internal.StdinPipe;
import dev.corral.internal.StopSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A run's pipes, on the service thread (a held run's captures on its holder's thread, until the
 * hand-over): stdin fed from its bytes, stdout and stderr read into
 * their sinks, then, once the tree is gone, drained; the {@link StopSequence} bounds how long.
 */
final class RunStreams implements Pipes {
  private final Command command;
  private final PipeReader stdout;
  private final PipeReader stderr;
  private final PipeWriter stdin;
  private final StdinPipe stdinPipe;

  /**
   * @param changed told, on the thread that owns the run, when a pipe closed or a delivery is over
   * @param consumers told when a consumer threw, and when a delivery is over (any thread)
   */
  RunStreams(Supervisor supervisor, Command command, Spawner.Spawned spawned, Runnable changed,
      Delivery.Listener consumers) {
    this.command = command;
    this.stdout = spawned.stdout() < 0 ? null
        : new PipeReader(supervisor, spawned.stdout(), sink(command.stdout(), consumers), changed);
    this.stderr = spawned.stderr() < 0 ? null
        : new PipeReader(supervisor, spawned.stderr(), sink(command.stderr(), consumers), changed);
    this.stdinPipe = command.stdin() instanceof Input.Pipe ? new StdinPipe() : null;
    this.stdin = spawned.stdin() < 0 ? null : stdinPipe != null
        ? new PipeWriter(supervisor, spawned.stdin(), stdinPipe)
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

  /**
   * Whether the thread that holds the run can serve its pipes until the run ends: no stdin to
   * feed, and output only captured (no consumer, no stream for the caller).
   */
  boolean holdable() {
    if (stdin != null) {
      return false;
    }
    for (PipeReader r : readers()) {
      if (!(r.sink() instanceof Sink.Capture)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Arms the output pipes ({@link PipeReader#arm}) when nothing else needs the service thread
   * before their first event; false, with nothing armed, when stdin is to be fed.
   */
  boolean arm() {
    if (stdin != null) {
      return false;
    }
    for (PipeReader r : readers()) {
      r.arm();
    }
    return true;
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

  @Override
  public void drain() {
    if (stdin != null) {
      stdin.close();
    }
    for (PipeReader r : readers()) {
      r.drain(Integer.MAX_VALUE);
    }
  }

  @Override
  public void closeReaders() {
    for (PipeReader r : readers()) {
      r.closeSoon();
    }
  }

  @Override
  public boolean readersOpen() {
    for (PipeReader r : readers()) {
      if (r.isOpen()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean onlyHeldUpByConsumers() {
    for (PipeReader r : readers()) {
      if (r.isOpen() && !r.isPaused()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Throwable consumerFailure() {
    return Sink.firstFailure(sinks());
  }

  @Override
  public boolean consumersDone() {
    return Sink.allDone(sinks());
  }

  @Override
  public void abandonConsumers() {
    Sink.abandonAll(sinks(), command.consumerExecutor());
  }

  /** After a failure: each step that gives back a descriptor or ends a delivery, to run alone. */
  @Override
  public List<Runnable> releaseSteps() {
    List<Runnable> steps = new ArrayList<>();
    if (stdin != null) {
      steps.add(stdin::close);
    }
    for (PipeReader r : readers()) {
      steps.add(r::close);
    }
    steps.add(this::abandonConsumers);
    return steps;
  }

  /** The caller's end of a piped stdin, or null. */
  StdinPipe stdinPipe() {
    return stdinPipe;
  }

  /** The caller's end of a piped stdout ({@code err} false) or stderr, or null. */
  java.io.InputStream piped(boolean err) {
    PipeReader r = err ? stderr : stdout;
    return r != null && r.sink() instanceof PipeStream p ? p.stream() : null;
  }

  @Override
  public Sink.Captured stdout() {
    return stdout == null ? Sink.Captured.NONE : stdout.sink().captured();
  }

  @Override
  public Sink.Captured stderr() {
    return stderr == null ? Sink.Captured.NONE : stderr.sink().captured();
  }

  private List<Sink> sinks() {
    List<Sink> out = new ArrayList<>(2);
    for (PipeReader r : readers()) {
      out.add(r.sink());
    }
    return out;
  }

  List<PipeReader> readers() {
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
