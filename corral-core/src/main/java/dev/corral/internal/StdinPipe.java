package dev.corral.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The caller's end of a child's stdin ({@code Input.pipe()}): the caller writes here, and the
 * backend's feeder takes the bytes as the pipe has room. At most {@link #MAX_QUEUED} bytes wait
 * here; past that a write blocks (parking, so a virtual thread pins no carrier) until the feeder
 * catches up. {@link #close} is end of file once everything queued went out.
 *
 * <p>Once the child closed its stdin, or the run is over, the feeder calls {@link #broken}: what
 * is queued is dropped and every write, flush and pending wait throws an {@link IOException}.
 */
public final class StdinPipe extends OutputStream {
  public static final int MAX_QUEUED = 64 << 10;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private int queued;
  private int headOffset;
  private boolean closed;
  private String broken;
  private Runnable wake = () -> {};

  /** Set by the backend before the caller gets the stream: runs when bytes or the end arrive. */
  public void onData(Runnable wake) {
    this.wake = wake;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    while (len > 0) {
      int n;
      lock.lock();
      try {
        while (broken == null && !closed && queued >= MAX_QUEUED) {
          changed.awaitUninterruptibly();
        }
        check();
        n = Math.min(len, MAX_QUEUED - queued);
        queue.add(java.util.Arrays.copyOfRange(b, off, off + n));
        queued += n;
      } finally {
        lock.unlock();
      }
      wake.run();
      off += n;
      len -= n;
    }
  }

  /** Waits until everything written went into the pipe. */
  @Override
  public void flush() throws IOException {
    lock.lock();
    try {
      while (broken == null && queued > 0) {
        changed.awaitUninterruptibly();
      }
      if (broken != null && queued > 0) {
        throw new IOException(broken);
      }
    } finally {
      lock.unlock();
    }
  }

  /** End of file for the child, once what is queued went out. Never blocks. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    wake.run();
  }

  private void check() throws IOException {
    if (broken != null) {
      throw new IOException(broken);
    }
    if (closed) {
      throw new IOException("stdin is closed");
    }
  }

  // ---- the feeder's side ----

  /** The next bytes to write, or null when nothing is queued; see {@link #taken}. */
  public byte[] peek() {
    lock.lock();
    try {
      return queue.peek();
    } finally {
      lock.unlock();
    }
  }

  /** Where in {@link #peek}'s array the unwritten bytes start. */
  public int offset() {
    return headOffset;
  }

  /** {@code n} bytes of the head went into the pipe. */
  public void taken(int n) {
    lock.lock();
    try {
      headOffset += n;
      queued -= n;
      if (headOffset == queue.peek().length) {
        queue.poll();
        headOffset = 0;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** True once the caller closed it and everything queued went out: the feeder closes the pipe. */
  public boolean finished() {
    lock.lock();
    try {
      return closed && queued == 0;
    } finally {
      lock.unlock();
    }
  }

  /** The pipe is gone ({@code why}): queued bytes are dropped, writers get an IOException. */
  public void broken(String why) {
    lock.lock();
    try {
      if (broken == null) {
        broken = why;
      }
      queue.clear();
      queued = 0;
      headOffset = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
