package dev.corral;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where a run's stdout or stderr goes. The default for both is {@link #capture()}.
 *
 * <p>Consumers ({@link #lines}, {@link #chunks}) run on the command's {@link
 * Command#consumerExecutor} (by default a virtual thread of Corral's own), in order, one call at a
 * time per stream. A slow consumer holds up only its own run:
 * <ul>
 *   <li>Up to 1 MiB per stream waits for it; past that Corral stops reading the pipe, and the
 *       child blocks on it as it would if nobody read it.
 *   <li>The run's result comes once its consumers have seen everything. With a deadline, or once
 *       the run is stopped, they get at most 500 ms more (after the deadline, if that is later);
 *       then what they have not seen is dropped, the stream counts as truncated, and a consumer
 *       on Corral's own thread is interrupted.
 *   <li>A consumer that throws fails its run with that exception, as {@code run()} and {@code
 *       await()} then throw it; the tree is stopped as on a cancel ({@link
 *       Teardown.Cause#CONSUMER_FAILED}), and the rest of the stream is read and dropped.
 * </ul>
 */
public sealed interface Output
    permits Output.Capture, Output.Discard, Output.Inherit, Output.ToFile, Output.Lines,
        Output.Chunks, Output.ToStdout, Output.Pipe {

  /** The default capture limit, 64 MiB per stream. */
  long DEFAULT_LIMIT = 64L << 20;

  /** Keep the output in memory, up to {@link #DEFAULT_LIMIT} bytes. */
  static Output capture() {
    return new Capture(DEFAULT_LIMIT);
  }

  /**
   * Keep up to {@code maxBytes} in memory. Output past the limit is read and dropped, so the child
   * never blocks on a full pipe, and {@link Result#stdoutTruncated()} says so.
   */
  static Output capture(long maxBytes) {
    return new Capture(maxBytes);
  }

  /** Drop the output ({@code /dev/null}). */
  static Output discard() {
    return Discard.INSTANCE;
  }

  /** Share the JVM's own stream. */
  static Output inherit() {
    return Inherit.INSTANCE;
  }

  /** Write to a file, created if missing and truncated first. */
  static Output file(Path path) {
    return new ToFile(path, false);
  }

  /** Append to a file, created if missing. */
  static Output append(Path path) {
    return new ToFile(path, true);
  }

  /**
   * Decode UTF-8 and pass each line, without its {@code \n} or {@code \r\n}. A last line without a
   * newline is passed when the stream ends.
   */
  static Output lines(Consumer<String> consumer) {
    return new Lines(consumer);
  }

  /** Pass each chunk as read from the pipe. The array is the consumer's to keep. */
  static Output chunks(Consumer<byte[]> consumer) {
    return new Chunks(consumer);
  }

  /**
   * A stream the caller reads while the child runs, through {@link Run#stdout()} or {@link
   * Run#stderr()}. Memory stays bounded: with 1 MiB unread, Corral stops reading the pipe and the
   * child blocks, as with a {@code ProcessBuilder} pipe nobody reads; so read it before waiting for
   * the result when the child writes much. The reader sees end of file after everything the tree
   * wrote, even when a process outside it still holds the pipe (after the 500 ms drain). With a
   * deadline, or once the run is stopped, an unread stream gets 500 ms more; then what is still
   * queued stays readable, the rest is dropped, and the stream counts as truncated.
   */
  static Output pipe() {
    return Pipe.INSTANCE;
  }

  /** See {@link Output#pipe()}. */
  enum Pipe implements Output {
    INSTANCE
  }

  /** For stderr only: send it to wherever stdout goes, interleaved as the child wrote it. */
  static Output toStdout() {
    return ToStdout.INSTANCE;
  }

  /** See {@link Output#capture(long)}. */
  record Capture(long maxBytes) implements Output {
    public Capture {
      if (maxBytes < 0) {
        throw new IllegalArgumentException("capture limit < 0: " + maxBytes);
      }
    }
  }

  /** See {@link Output#discard()}. */
  enum Discard implements Output {
    INSTANCE
  }

  /** See {@link Output#inherit()}. */
  enum Inherit implements Output {
    INSTANCE
  }

  /** See {@link Output#file(Path)} and {@link Output#append(Path)}. */
  record ToFile(Path path, boolean append) implements Output {
    public ToFile {
      Objects.requireNonNull(path, "path");
    }
  }

  /** See {@link Output#lines(Consumer)}. */
  record Lines(Consumer<String> consumer) implements Output {
    public Lines {
      Objects.requireNonNull(consumer, "consumer");
    }
  }

  /** See {@link Output#chunks(Consumer)}. */
  record Chunks(Consumer<byte[]> consumer) implements Output {
    public Chunks {
      Objects.requireNonNull(consumer, "consumer");
    }
  }

  /** See {@link Output#toStdout()}. */
  enum ToStdout implements Output {
    INSTANCE
  }
}
