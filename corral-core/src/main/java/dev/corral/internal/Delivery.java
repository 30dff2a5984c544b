package dev.corral.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Hands a stream from the service thread to the caller's consumer, on a thread of the consumer's
 * own, in order. The service thread only copies bytes into a queue; decoding and the consumer run
 * on the consumer's executor, one task at a time per stream, so a slow consumer delays only its
 * own run and a throwing one fails only its own run.
 *
 * <p>Memory is bounded: with {@link #MAX_BACKLOG} bytes queued, {@link #backlogged} says so and
 * the run stops reading the pipe, so the child blocks on a full pipe as it would if nobody read
 * it; reading resumes once the consumer has taken half of it.
 *
 * <p>Once the consumer throws, nothing more reaches it: the rest of the stream is read and
 * dropped, and the run is told once. {@link #abandon} ends delivery early (a run that must end
 * although its consumer is still busy); what was not delivered counts as truncated.
 */
public final class Delivery extends Sink {
  /** Bytes queued per stream before its pipe is no longer read. */
  static final int MAX_BACKLOG = 1 << 20;

  /** What the run hears from its delivery, on the delivering thread or the service thread. */
  public interface Listener {
    /** The consumer threw {@code failure}; nothing more reaches it. */
    void failed(Throwable failure);

    /** Delivery is over: the end reached the consumer, or it failed, or it was abandoned. */
    void over();
  }

  /** Turns chunks into the consumer's calls. Runs on the delivering thread only. */
  abstract static class Receiver {
    private Delivery delivery;

    abstract void accept(byte[] chunk);

    void end() {}

    /** False once delivery is over: nothing more reaches the consumer, even mid-chunk. */
    final boolean wanted() {
      return !delivery.isOver();
    }
  }

  private final Receiver receiver;
  private final Executor executor;
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private Listener listener;
  private long queued;
  private boolean ended;
  private boolean scheduled;
  private boolean over;
  private boolean truncated;
  private Runnable resume;
  private Thread delivering;
  private Throwable failure;

  Delivery(Receiver receiver, Executor executor) {
    this.receiver = receiver;
    this.executor = executor;
    receiver.delivery = this;
  }

  /** Set once, before the first byte arrives. */
  public void listen(Listener listener) {
    this.listener = listener;
  }

  @Override
  public void accept(MemorySegment buffer, int length) {
    byte[] chunk = buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
    synchronized (this) {
      if (over) {
        return; // failed or abandoned: the rest is dropped
      }
      queue.add(chunk);
      queued += length;
    }
    schedule();
  }

  @Override
  public void end() {
    synchronized (this) {
      ended = true;
    }
    schedule();
  }

  @Override
  public boolean backlogged(Runnable resume) {
    synchronized (this) {
      if (over || queued < MAX_BACKLOG) {
        return false;
      }
      this.resume = resume;
      return true;
    }
  }

  /** The consumer's exception, once it threw; set before {@link #isOver} turns true. */
  public synchronized Throwable failure() {
    return failure;
  }

  @Override
  public Throwable consumerFailure() {
    return failure();
  }

  @Override
  public boolean consumerDone() {
    return isOver();
  }

  /** True once delivery is over (see {@link Listener#over}). */
  public synchronized boolean isOver() {
    return over;
  }

  @Override
  public synchronized Captured captured() {
    return truncated ? new Captured(EMPTY, true) : Captured.NONE;
  }

  /**
   * Ends delivery now: what is queued is dropped and the stream counts as truncated. A consumer
   * still running on a thread Corral started is interrupted; a caller's executor thread is not.
   */
  @Override
  public void abandon(boolean interrupt) {
    Thread busy;
    synchronized (this) {
      if (over) {
        return;
      }
      truncated = !queue.isEmpty() || !ended || delivering != null;
      busy = delivering;
    }
    close(null); // first, so that an interrupted consumer gets nothing more
    if (interrupt && busy != null) {
      busy.interrupt();
    }
  }

  private void schedule() {
    synchronized (this) {
      if (scheduled || over) {
        return;
      }
      scheduled = true;
    }
    Thread scheduling = Thread.currentThread();
    try {
      executor.execute(() -> deliver(scheduling));
    } catch (RuntimeException e) {
      // A caller's executor that refuses (shut down, saturated) fails this run like a consumer would.
      close(e);
    }
  }

  /**
   * Bytes come from a thread that other runs need (a shared service thread): then an executor
   * that runs the consumer inline, on that thread, fails the run. Set before the first byte.
   */
  public void forbidInline() {
    inlineForbidden = true;
  }

  private boolean inlineForbidden;

  /** {@code scheduling} handed the task over: running on it means the executor ran it inline. */
  private void deliver(Thread scheduling) {
    if (inlineForbidden && Thread.currentThread() == scheduling) {
      // On the service thread, where a consumer must never run: fail the run instead.
      close(new IllegalArgumentException("the consumer executor ran a consumer inline, on"
          + " Corral's service thread; give Command.consumerExecutor one that runs tasks on"
          + " threads of its own"));
      return;
    }
    synchronized (this) {
      delivering = Thread.currentThread();
    }
    try {
      while (true) {
        byte[] chunk;
        Runnable wake = null;
        synchronized (this) {
          if (over) {
            return;
          }
          chunk = queue.poll();
          if (chunk == null && !ended) {
            scheduled = false;
            return;
          }
          if (chunk != null) {
            queued -= chunk.length;
            if (resume != null && queued <= MAX_BACKLOG / 2) {
              wake = resume;
              resume = null;
            }
          }
        }
        if (wake != null) {
          wake.run();
        }
        if (chunk == null) {
          receiver.end();
          close(null);
          return;
        }
        receiver.accept(chunk);
      }
    } catch (Throwable t) {
      close(t);
    } finally {
      synchronized (this) {
        if (delivering == Thread.currentThread()) {
          delivering = null; // a later task may already be delivering on another thread
        }
      }
    }
  }

  /** Delivery is over, by the end, by {@code failure} (when not null), or abandoned. */
  private void close(Throwable failure) {
    Runnable wake;
    synchronized (this) {
      if (over) {
        return;
      }
      over = true;
      this.failure = failure;
      queue.clear();
      queued = 0;
      wake = resume;
      resume = null;
    }
    if (wake != null) {
      wake.run(); // the reader goes on, and drops what comes
    }
    if (failure != null) {
      listener.failed(failure);
    }
    listener.over();
  }

  /** Passes each chunk, as read from the pipe, to the consumer; the array is the consumer's. */
  static final class Chunks extends Receiver {
    private final Consumer<byte[]> consumer;

    Chunks(Consumer<byte[]> consumer) {
      this.consumer = consumer;
    }

    @Override
    void accept(byte[] chunk) {
      if (wanted()) { // none after an abandon that came while it was taken
        consumer.accept(chunk);
      }
    }
  }

  /** Decodes UTF-8 (malformed input replaced) and passes whole lines, without \n or \r\n. */
  static final class Lines extends Receiver {
    private final Consumer<String> consumer;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private final StringBuilder line = new StringBuilder();

    Lines(Consumer<String> consumer) {
      this.consumer = consumer;
    }

    @Override
    void accept(byte[] chunk) {
      ByteBuffer in = ByteBuffer.allocate(pending.remaining() + chunk.length);
      in.put(pending).put(chunk).flip();
      decode(in, false);
      pending = in.slice();
    }

    @Override
    void end() {
      decode(pending, true);
      if (!line.isEmpty()) {
        emit();
      }
    }

    private void decode(ByteBuffer in, boolean last) {
      CharBuffer out = CharBuffer.allocate(Math.max(16, in.remaining()));
      decoder.decode(in, out, last);
      if (last) {
        decoder.flush(out);
      }
      out.flip();
      while (out.hasRemaining()) {
        char c = out.get();
        if (c == '\n') {
          emit();
        } else {
          line.append(c);
        }
      }
    }

    private void emit() {
      int n = line.length();
      if (n > 0 && line.charAt(n - 1) == '\r') {
        line.setLength(n - 1);
      }
      String text = line.toString();
      line.setLength(0);
      if (wanted()) { // one chunk holds many lines: none after an abandon
        consumer.accept(text);
      }
    }
  }
}
