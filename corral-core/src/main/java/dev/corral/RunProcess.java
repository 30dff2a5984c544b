package dev.corral;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A {@link Run} seen as a {@link Process}, for code written against {@code java.lang.Process}. It
 * behaves as the JDK's own does, with two differences that are the point: {@code destroy()} and
 * {@code destroyForcibly()} end the whole tree (the stop sequence with and without the grace),
 * and the process counts as alive until the tree is verified gone and the output drained.
 *
 * <p>A stream the command did not ask to pipe reads as end of file at once (stdout, stderr) or
 * fails with "Stream closed" (stdin), as the JDK's do for a redirected stream. Waits throw {@link
 * InterruptedException} and leave the run alone, as the JDK's do; {@link Run#await()} instead
 * cancels the run when interrupted.
 */
final class RunProcess extends Process {
  private final Run run;
  private final ProcessHandle handle;
  private final OutputStream stdin;
  private final InputStream stdout;
  private final InputStream stderr;

  RunProcess(Run run) {
    this.run = run;
    this.handle = ProcessHandle.of(run.pid()).orElse(null);
    Command c = run.command();
    this.stdin = c.stdin() instanceof Input.Pipe ? run.stdin() : CLOSED;
    this.stdout = c.stdout() instanceof Output.Pipe ? run.stdout() : InputStream.nullInputStream();
    this.stderr = c.stderr() instanceof Output.Pipe ? run.stderr() : InputStream.nullInputStream();
  }

  /** What the JDK gives for a stdin that is not a pipe: every write fails. */
  private static final OutputStream CLOSED = new OutputStream() {
    @Override
    public void write(int b) throws IOException {
      throw new IOException("Stream closed");
    }
  };

  @Override
  public OutputStream getOutputStream() {
    return stdin;
  }

  @Override
  public InputStream getInputStream() {
    return stdout;
  }

  @Override
  public InputStream getErrorStream() {
    return stderr;
  }

  @Override
  public int waitFor() throws InterruptedException {
    return result(run.onExit()).status();
  }

  @Override
  public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      run.onExit().get(timeout, unit);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true; // supervision failed: the run is over; exitValue() says how
    }
  }

  @Override
  public int exitValue() {
    if (run.isAlive()) {
      throw new IllegalThreadStateException("process hasn't exited");
    }
    return run.await().status();
  }

  @Override
  public boolean isAlive() {
    return run.isAlive();
  }

  @Override
  public long pid() {
    return run.pid();
  }

  /** The stop sequence for the whole tree: the stop signal, the grace, then SIGKILL. */
  @Override
  public void destroy() {
    run.cancel();
  }

  /** The whole tree at once, without the grace. */
  @Override
  public Process destroyForcibly() {
    run.cancel(Signal.KILL);
    return this;
  }

  @Override
  public boolean supportsNormalTermination() {
    return true;
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return run.onExit().handle((r, t) -> this);
  }

  /**
   * The leader's handle, taken when the view was made (Corral keeps the leader unreaped until the
   * run is over, so it was valid then).
   *
   * @throws UnsupportedOperationException when the run was already over then
   */
  @Override
  public ProcessHandle toHandle() {
    if (handle == null) {
      throw new UnsupportedOperationException("the run was over before its Process view was made");
    }
    return handle;
  }

  @Override
  public ProcessHandle.Info info() {
    return toHandle().info();
  }

  @Override
  public Stream<ProcessHandle> children() {
    return handle == null ? Stream.empty() : handle.children();
  }

  @Override
  public Stream<ProcessHandle> descendants() {
    return handle == null ? Stream.empty() : handle.descendants();
  }

  @Override
  public String toString() {
    return "Process[pid=" + run.pid() + ", exitValue="
        + (run.isAlive() ? "\"not exited\"" : run.await().status()) + ", " + run.command() + "]";
  }

  private static Result result(CompletableFuture<Result> exit) throws InterruptedException {
    try {
      return exit.get();
    } catch (ExecutionException e) {
      throw RealRun.unwrap(e);
    }
  }
}
