package dev.corral.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A child's output as the caller reads it ({@code Output.pipe()}): the backend's reader puts
 * chunks in, the caller takes them out through {@link #stream()}. With {@link #MAX_QUEUED} bytes
 * unread, {@link #backlogged} stops the reader (so the child blocks on a full pipe) until the
 * caller has read half. Reads park, so a virtual thread pins no carrier.
 *
 * <p>{@link #abandon} (a stopped run whose caller does not read) ends the stream: what is queued
 * stays readable, what the pipe still holds is dropped, and the stream counts as truncated.
 */
public final class PipeStream extends Sink {
  static final int MAX_QUEUED = 1 << 20;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private long queued;
  private int headOffset;
  private boolean ended;
  private boolean abandoned;
  private boolean truncated;
  private boolean callerClosed;
  private Runnable resume;
  private final InputStream stream = new Reader();

  /** The caller's end. */
  public InputStream stream() {
    return stream;
  }

  @Override
  public void accept(MemorySegment buffer, int length) {
    byte[] chunk = buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
    lock.lock();
    try {
      if (abandoned || callerClosed) {
        truncated |= abandoned;
        return; // after an abandon, or nobody will read it: dropped
      }
      queue.add(chunk);
      queued += length;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void end() {
    lock.lock();
    try {
      ended = true;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean backlogged(Runnable resume) {
    lock.lock();
    try {
      if (abandoned || callerClosed || queued < MAX_QUEUED) {
        return false;
      }
      this.resume = resume;
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void abandon(boolean interrupt) {
    Runnable wake;
    lock.lock();
    try {
      if (ended || abandoned) {
        return;
      }
      abandoned = true;
      truncated = true;
      wake = resume;
      resume = null;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    if (wake != null) {
      wake.run(); // the reader goes on, and drops what comes
    }
  }

  @Override
  public Captured captured() {
    lock.lock();
    try {
      return truncated ? new Captured(EMPTY, true) : Captured.NONE;
    } finally {
      lock.unlock();
    }
  }

  private final class Reader extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      Runnable wake = null;
      int n;
      lock.lock();
      try {
        while (queue.isEmpty() && !ended && !abandoned && !callerClosed) {
          arrived.awaitUninterruptibly();
        }
        if (callerClosed) {
          throw new IOException("stream closed");
        }
        if (queue.isEmpty()) {
          return -1;
        }
        byte[] head = queue.peek();
        n = Math.min(len, head.length - headOffset);
        System.arraycopy(head, headOffset, b, off, n);
        headOffset += n;
        queued -= n;
        if (headOffset == head.length) {
          queue.poll();
          headOffset = 0;
        }
        if (resume != null && queued <= MAX_QUEUED / 2) {
          wake = resume;
          resume = null;
        }
      } finally {
        lock.unlock();
      }
      if (wake != null) {
        wake.run();
      }
      return n;
    }

    @Override
    public int available() {
      lock.lock();
      try {
        return (int) Math.min(Integer.MAX_VALUE, queued);
      } finally {
        lock.unlock();
      }
    }

    /** The caller reads no more: what is queued and what still comes are dropped. */
    @Override
    public void close() {
      Runnable wake;
      lock.lock();
      try {
        callerClosed = true;
        queue.clear();
        queued = 0;
        wake = resume;
        resume = null;
        arrived.signalAll();
      } finally {
        lock.unlock();
      }
      if (wake != null) {
        wake.run();
      }
    }
  }
}
