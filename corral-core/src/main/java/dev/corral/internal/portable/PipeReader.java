package dev.corral.internal.portable;

import dev.corral.internal.Sink;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.Semaphore;

/**
 * Moves the leader's stdout or stderr into a {@link Sink} on a virtual thread of its own, which is
 * the only thread that feeds the sink. While the sink is backlogged (a consumer behind) it stops
 * reading, so the child blocks on a full pipe as it would if nobody read it.
 *
 * <p>The JDK takes a pipe over when the leader exits: it keeps what the pipe holds at that moment
 * and closes it, and a process still holding the other end then gets EPIPE. The reader holds the
 * stream's lock from start to end, which keeps that from happening under it (the JDK's take-over
 * waits for the lock), so a grandchild's later output is still read until the run ends.
 *
 * <p>Limit: a blocking read cannot be interrupted, and closing the stream does not wake it. A
 * reader {@link #abandon abandoned} while a process outside the known tree holds the pipe stays
 * blocked until that process writes or ends; it then leaves without touching the sink. Until
 * then it costs a virtual thread, the pipe, and the JDK's reaper thread for the leader.
 */
final class PipeReader {
  private final InputStream in;
  private final Sink sink;
  private final Runnable ended;
  /** Guards the sink against a late read after {@link #abandon}. */
  private final Object lock = new Object();
  private final Semaphore resumed = new Semaphore(0);
  private boolean over;
  private volatile boolean open = true;
  private Thread thread;

  /** {@code ended} runs once, on the reader's thread, when the stream ends or is abandoned. */
  PipeReader(InputStream in, Sink sink, Runnable ended) {
    this.in = in;
    this.sink = sink;
    this.ended = ended;
  }

  void start() {
    thread = Thread.ofVirtual().name("corral-read").start(this::read);
  }

  private void read() {
    byte[] buf = new byte[16384];
    MemorySegment segment = MemorySegment.ofArray(buf);
    try {
      synchronized (in) { // see the class comment: the JDK's take-over of the pipe waits for this
        while (true) {
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          synchronized (lock) {
            if (over) {
              return;
            }
            sink.accept(segment, n);
          }
          if (sink.backlogged(resumed::release) && !awaitResume()) {
            return;
          }
        }
      }
    } catch (IOException e) {
      // closed, or a read error: either way the stream ends here
    } finally {
      end();
    }
  }

  /** Waits until the sink has room again; false once abandoned. */
  private boolean awaitResume() {
    while (true) {
      synchronized (lock) {
        if (over) {
          return false;
        }
      }
      try {
        resumed.acquire();
        return true;
      } catch (InterruptedException e) {
        // abandon() interrupts: the loop looks again
      }
    }
  }

  /** The stream ended or was given up: the sink hears of it once. */
  private void end() {
    boolean first;
    synchronized (lock) {
      first = !over;
      if (first) {
        over = true;
        sink.end();
      }
    }
    if (first) {
      open = false;
      ended.run();
    }
  }

  /**
   * The drain bound passed: the stream ends here, whatever the pipe still holds. The reader's
   * thread leaves as soon as its read returns.
   */
  void abandon() {
    synchronized (lock) {
      if (over) {
        return;
      }
      over = true;
      sink.end();
    }
    open = false;
    if (thread != null) {
      thread.interrupt();
    }
    Thread.ofVirtual().name("corral-close").start(() -> {
      try {
        in.close();
      } catch (IOException e) {
        // nothing more to do for a pipe being given up
      }
    });
  }

  /** True until the stream ended or was abandoned. */
  boolean isOpen() {
    return open;
  }

  Sink sink() {
    return sink;
  }

  /** What the sink kept, safe against a reader that is still blocked. */
  Sink.Captured captured() {
    synchronized (lock) {
      return sink.captured();
    }
  }
}
