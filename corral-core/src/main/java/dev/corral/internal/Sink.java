package dev.corral.internal;

import dev.corral.Output;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Where bytes read from a child's pipe go in the JVM. {@link #accept} and {@link #end} are called
 * on one thread at a time per stream (the native tier's service thread, or before it the thread
 * holding the run, which hands it over through the service thread's queue; the portable tier's
 * reader), so a sink needs no locking there. Pure Java: the platform hands it a buffer and a length.
 *
 * <p>A {@link Capture} keeps the bytes on the thread that reads them. Consumers ({@link Output.Lines},
 * {@link Output.Chunks}) never run there: a {@link Delivery} copies the bytes and hands them to a
 * thread of the consumer's own, so a slow or throwing consumer harms only its own run.
 */
public abstract sealed class Sink permits Sink.Capture, Delivery, PipeStream {

  static final byte[] EMPTY = new byte[0];

  /** What a stream left in memory, and whether some of the stream never got there. */
  public record Captured(byte[] bytes, boolean truncated) {
    public static final Captured NONE = new Captured(EMPTY, false);
  }

  /**
   * The sink for an output spec, or null when the spec is served by a descriptor (file, discard,
   * inherit). Consumers run through {@code consumers}, in order.
   */
  public static Sink of(Output output, java.util.concurrent.Executor consumers) {
    return switch (output) {
      case Output.Capture c -> new Capture(c.maxBytes());
      case Output.Lines l -> new Delivery(new Delivery.Lines(l.consumer()), consumers);
      case Output.Chunks c -> new Delivery(new Delivery.Chunks(c.consumer()), consumers);
      case Output.Pipe p -> new PipeStream();
      default -> null;
    };
  }

  /** The first exception one of {@code sinks}' consumers threw, or null. */
  public static Throwable firstFailure(java.util.List<Sink> sinks) {
    for (Sink s : sinks) {
      if (s.consumerFailure() != null) {
        return s.consumerFailure();
      }
    }
    return null;
  }

  /** Whether every one of {@code sinks} has its taker done. */
  public static boolean allDone(java.util.List<Sink> sinks) {
    for (Sink s : sinks) {
      if (!s.consumerDone()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Abandons every one of {@code sinks}; consumers are interrupted only on Corral's own threads
   * (the {@code consumers} executor is {@code Command.DEFAULT_CONSUMERS}).
   */
  public static void abandonAll(java.util.List<Sink> sinks, java.util.concurrent.Executor consumers) {
    for (Sink s : sinks) {
      s.abandon(consumers == dev.corral.Command.DEFAULT_CONSUMERS);
    }
  }

  /** Take {@code length} bytes from the start of {@code buffer}. */
  public abstract void accept(MemorySegment buffer, int length);

  /** The stream ended. */
  public void end() {}

  /** True once the sink takes no more bytes, so the rest may be discarded without reading it. */
  public boolean full() {
    return false;
  }

  /**
   * True while the sink holds as much as it may: the caller stops reading the pipe (so the child
   * blocks, as with a pipe nobody reads) until {@code resume} is called.
   */
  public boolean backlogged(Runnable resume) {
    return false;
  }

  public Captured captured() {
    return Captured.NONE;
  }

  /** True once whoever takes the bytes has all it will get (a consumer saw the end, failed, or was abandoned). */
  public boolean consumerDone() {
    return true;
  }

  /** The exception a consumer threw, or null. */
  public Throwable consumerFailure() {
    return null;
  }

  /**
   * The run ends although the bytes' taker is behind: what it has not taken is dropped (a
   * consumer on Corral's own thread is interrupted when {@code interrupt}).
   */
  public void abandon(boolean interrupt) {}

  /** Keeps up to a limit in memory; counts and drops the rest. */
  public static final class Capture extends Sink {
    private final long limit;
    private byte[] bytes = EMPTY;
    private int size;
    private boolean truncated;

    Capture(long limit) {
      this.limit = Math.min(limit, Integer.MAX_VALUE - 16);
    }

    @Override
    public void accept(MemorySegment buffer, int length) {
      int room = (int) Math.min(length, limit - size);
      if (room < length) {
        truncated = true;
      }
      if (room <= 0) {
        return;
      }
      if (size + room > bytes.length) {
        long grown = Math.max(size + room, Math.max(8192, (long) bytes.length * 2));
        bytes = Arrays.copyOf(bytes, (int) Math.min(grown, limit));
      }
      MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, size, room);
      size += room;
    }

    @Override
    public boolean full() {
      return size >= limit;
    }

    /** Bytes dropped without being read count as truncation too. */
    public void dropped() {
      truncated = true;
    }

    @Override
    public Captured captured() {
      return new Captured(size == bytes.length ? bytes : Arrays.copyOf(bytes, size), truncated);
    }
  }
}
