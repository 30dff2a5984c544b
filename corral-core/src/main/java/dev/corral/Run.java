package dev.corral;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A started command. Closing it stops the whole tree if it is still running, so use it in
 * try-with-resources. Every method is safe to call from any thread, including virtual threads,
 * which the blocking methods park rather than pin.
 */
public interface Run extends AutoCloseable {

  /** The leader's pid. It stays valid until the run is over: Corral reaps the leader last. */
  long pid();

  Command command();

  /**
   * The child's stdin, for a command whose stdin is {@link Input#pipe()}.
   *
   * @throws IllegalStateException when the command's stdin is not a pipe
   */
  java.io.OutputStream stdin();

  /**
   * The child's stdout as it writes it, for a command whose stdout is {@link Output#pipe()}.
   *
   * @throws IllegalStateException when the command's stdout is not a pipe
   */
  java.io.InputStream stdout();

  /**
   * The child's stderr as it writes it, for a command whose stderr is {@link Output#pipe()}.
   *
   * @throws IllegalStateException when the command's stderr is not a pipe
   */
  java.io.InputStream stderr();

  /**
   * This run as a {@link Process}, for code written against {@code java.lang.Process}: the same
   * behaviour as the JDK's, except that {@code destroy()} and {@code destroyForcibly()} end the
   * whole tree. Streams the command asked to pipe are the process's streams.
   */
  Process asProcess();

  /** True until the run is over: the tree ended, the output drained, the result ready. */
  boolean isAlive();

  /** Wait for the result. */
  Result await();

  /** Wait up to {@code timeout} for the result; empty if the run is still going. */
  Optional<Result> await(Duration timeout);

  /**
   * The result, when it comes. Dependent actions run on a virtual thread, never on Corral's
   * service thread, so they may block.
   */
  CompletableFuture<Result> onExit();

  /**
   * Stop the whole tree now with the stop sequence; the result then reports {@link
   * Result#cancelled()}. Does nothing once the run is over. Returns without waiting.
   */
  void cancel();

  /**
   * Like {@link #cancel()}, but the stop sequence begins with {@code signal} instead of the
   * command's stop signal: how a supervisor forwards a signal it received. If the stop sequence
   * already runs, {@code signal} goes to whatever is left of the tree and the grace period does
   * not restart. {@link Signal#NONE} sends nothing.
   *
   * @throws IllegalArgumentException when this OS has no such signal, or when {@link
   *     Containment#PORTABLE} cannot send it (anything but TERM, KILL and NONE); the run goes on
   */
  void cancel(Signal signal);

  /** Cancel if still running, then wait for the tree to be gone. */
  @Override
  void close();
}
