package dev.corral.internal.portable;

import dev.corral.Command;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.internal.Delivery;
import dev.corral.internal.Pipes;
import dev.corral.internal.Sink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A run's pipes: a {@link PipeReader} for each output stream that is piped (capture, lines,
 * chunks), and stdin bytes fed on a virtual thread of their own. Streams sent to a file, to the
 * JVM's own or to nowhere are the OS's business and need nothing here.
 *
 * <p>Stdin is never closed from outside its thread: a write blocked on a child that does not read
 * would hold the stream's lock. It ends when the child has read everything or its reading end is
 * gone (EPIPE); a process outside the known tree that holds it unread keeps that thread blocked.
 */
final class RunStreams implements Pipes {
  private final Command command;
  private final Process process;
  private final PipeReader stdout;
  private final PipeReader stderr;

  /**
   * @param changed runs, on any thread, when a stream ended or a consumer is done
   * @param consumerFailed runs, on a consumer's thread, when a consumer threw
   */
  RunStreams(Command command, Process process, Runnable changed, Consumer<Throwable> consumerFailed) {
    this.command = command;
    this.process = process;
    this.stdout = reader(process.getInputStream(), command.stdout(), changed, consumerFailed);
    this.stderr = command.stderr() instanceof Output.ToStdout ? null
        : reader(process.getErrorStream(), command.stderr(), changed, consumerFailed);
  }

  private PipeReader reader(InputStream in, Output output, Runnable changed,
      Consumer<Throwable> consumerFailed) {
    Sink sink = Sink.of(output, command.consumerExecutor());
    if (sink == null) {
      return null;
    }
    if (sink instanceof Delivery d) {
      d.listen(new Delivery.Listener() {
        @Override
        public void failed(Throwable failure) {
          consumerFailed.accept(failure);
        }

        @Override
        public void over() {
          changed.run();
        }
      });
    }
    return new PipeReader(in, sink, changed);
  }

  /** Starts reading, and feeding stdin (an empty stdin is closed at once). */
  void start() {
    for (PipeReader r : readers()) {
      r.start();
    }
    byte[] input = command.stdin() instanceof Input.Bytes b ? b.data() : null;
    if (input != null || command.stdin() instanceof Input.None) {
      OutputStream in = process.getOutputStream();
      Thread.ofVirtual().name("corral-write").start(() -> feed(in, input));
    }
  }

  private static void feed(OutputStream stdin, byte[] data) {
    try (stdin) {
      if (data != null) {
        stdin.write(data);
      }
    } catch (IOException e) {
      // the child closed its stdin or ended: what it did not read is dropped
    }
  }

  /** Nothing to do: each stream has its own reader, and stdin its own writer. */
  @Override
  public void drain() {}

  /** Never: a reader waiting on its consumer blocks its own thread and keeps the stream open. */
  @Override
  public boolean onlyHeldUpByConsumers() {
    return false;
  }

  @Override
  public Throwable consumerFailure() {
    return Sink.firstFailure(sinks());
  }

  @Override
  public List<Runnable> releaseSteps() {
    return List.of(this::closeReaders, this::abandonConsumers);
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
  public boolean consumersDone() {
    return Sink.allDone(sinks());
  }

  @Override
  public void closeReaders() {
    for (PipeReader r : readers()) {
      r.abandon();
    }
  }

  @Override
  public void abandonConsumers() {
    Sink.abandonAll(sinks(), command.consumerExecutor());
  }

  /** The caller's end of a piped stdin: the JDK's own pipe stream (EPIPE is its IOException). */
  java.io.OutputStream stdinPipe() {
    return command.stdin() instanceof Input.Pipe ? process.getOutputStream() : null;
  }

  /** The caller's end of a piped stdout ({@code err} false) or stderr, or null. */
  java.io.InputStream piped(boolean err) {
    PipeReader r = err ? stderr : stdout;
    return r != null && r.sink() instanceof dev.corral.internal.PipeStream p ? p.stream() : null;
  }

  @Override
  public Sink.Captured stdout() {
    return stdout == null ? Sink.Captured.NONE : stdout.captured();
  }

  @Override
  public Sink.Captured stderr() {
    return stderr == null ? Sink.Captured.NONE : stderr.captured();
  }

  private List<Sink> sinks() {
    List<Sink> out = new ArrayList<>(2);
    for (PipeReader r : readers()) {
      out.add(r.sink());
    }
    return out;
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
