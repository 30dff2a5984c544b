package dev.corral;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where a run's stdout or stderr goes. The default for both is {@link #capture()}.
 *
 * <p>Consumers ({@link #lines}, {@link #chunks}) are called on Corral's service thread, in order,
 * one stream at a time. They must return quickly: a consumer that blocks delays every run.
 */
public sealed interface Output
    permits Output.Capture, Output.Discard, Output.Inherit, Output.ToFile, Output.Lines,
        Output.Chunks, Output.ToStdout {

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
