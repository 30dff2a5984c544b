package dev.corral.internal.linux;

import dev.corral.internal.Sink;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.MemorySegment;

/**
 * Moves a child's stdout or stderr from its pipe into a {@link Sink}, on the service thread (or,
 * for a captured stream, on the thread that holds its run, until the hand-over). While
 * the sink is backlogged (a consumer behind), the pipe is not watched, so the child blocks on it.
 */
final class PipeReader {
  /** Read at most this much per readiness event, so one chatty child cannot starve the others. */
  private static final int BUDGET = 4 << 20;
  /**
   * A stream that has carried this much is a bulk writer: its pipe grows to {@link #BULK_PIPE}, so
   * its child blocks and wakes the reader less often. Quiet streams keep the kernel's 64 KiB: pipe
   * capacity counts against the user's quota (fs.pipe-user-pages-soft), and past it the kernel
   * gives every new pipe of an unprivileged user two pages.
   */
  private static final long GROW_AFTER = 1 << 16;
  private static final int BULK_PIPE = 1 << 18;

  private final Supervisor supervisor;
  private final int fd;
  private final Sink sink;
  private final Runnable onEnd;
  private boolean open = true;
  private boolean spliceable = true;
  /** Not watched while the sink is backlogged; {@link #resume} watches it again. */
  private boolean paused;
  /** Close once the pipe is empty, rather than wait for end of file (the drain bound passed). */
  private boolean closeWhenEmpty;
  /** In the service thread's epoll set (armed or watched): {@link #close} takes it out. */
  private boolean watched;
  private Runnable step;
  /** Bytes this stream has carried, until it counts as bulk. */
  private long carried;

  PipeReader(Supervisor supervisor, int fd, Sink sink, Runnable onEnd) {
    this.supervisor = supervisor;
    this.fd = fd;
    this.sink = sink;
    this.onEnd = onEnd;
  }

  /** Puts the pipe in the service thread's epoll set now, from this thread: {@link Supervisor#arm}. */
  void arm() {
    if (!open) {
      return; // read to its end by the thread that held the run
    }
    supervisor.arm(fd, LibC.EPOLLIN);
    watched = true;
  }

  /** Start reading; {@code guard} wraps each step so a failing consumer fails its run, not the loop. */
  void watch(java.util.function.UnaryOperator<Runnable> guard) {
    step = guard.apply(() -> drain(BUDGET));
    if (!open) {
      return;
    }
    supervisor.watchBulk(fd, LibC.EPOLLIN, events -> step.run());
    watched = true;
  }

  /** The sink has room again: called on any thread. */
  private void resume() {
    supervisor.execute(() -> {
      if (open && paused) {
        paused = false;
        supervisor.watchBulk(fd, LibC.EPOLLIN, events -> step.run());
        watched = true;
        step.run();
      }
    });
  }

  /**
   * The drain bound passed: close now, unless a backlogged consumer holds reading up; then close
   * once what the pipe holds now has been read.
   */
  void closeSoon() {
    if (paused) {
      closeWhenEmpty = true;
    } else {
      close();
    }
  }

  boolean isOpen() {
    return open;
  }

  /** Open, but not read while its consumer is behind. */
  boolean isPaused() {
    return open && paused;
  }

  /** Reads what is there now, up to {@code budget} bytes; closes at end of file. */
  void drain(int budget) {
    drain(budget, supervisor.readBuffer);
  }

  /**
   * As {@link #drain(int)}, through {@code buf}: on the service thread, or on the thread that
   * holds a run whose sink is a capture (nothing then calls back into the service thread).
   */
  void drain(int budget, MemorySegment buf) {
    int total = 0;
    while (open && !paused && total < budget) {
      if (spliceable && sink.full()) {
        // Past the capture limit: move the pages to /dev/null in the kernel, never copying them.
        long n = LibC.splice(fd, supervisor.devNull, 1 << 20, LibC.SPLICE_F_MOVE | LibC.SPLICE_F_NONBLOCK);
        if (n > 0) {
          ((Sink.Capture) sink).dropped();
          total += (int) n;
          carried(n);
          continue;
        } else if (n == -Errors.ERRNO.EAGAIN) {
          emptied();
          return;
        } else if (n == -Errors.ERRNO.EINVAL) {
          spliceable = false; // not a pipe after all: read and drop instead
        } else if (n != -Errors.ERRNO.EINTR) {
          close(); // 0 is end of file; any other error ends the stream too
          return;
        }
        continue;
      }
      long n = PosixLibC.read(fd, buf, buf.byteSize());
      if (n > 0) {
        sink.accept(buf, (int) n);
        total += (int) n;
        carried(n);
        if (sink.backlogged(this::resume)) {
          paused = true;
          unwatch();
        }
      } else if (n == -Errors.ERRNO.EAGAIN) {
        emptied();
        return;
      } else if (n == -Errors.ERRNO.EINTR) {
        continue;
      } else {
        close(); // 0 is end of file; any other error ends the stream too
      }
    }
  }

  private void carried(long n) {
    if (carried < GROW_AFTER && (carried += n) >= GROW_AFTER) {
      // The kernel may refuse (the user's pipe quota): then the pipe keeps its size.
      LibC.fcntlQuiet(fd, LibC.F_SETPIPE_SZ, BULK_PIPE);
    }
  }

  private void emptied() {
    if (closeWhenEmpty) {
      close();
    }
  }

  /** Stops reading, whatever is left in the pipe. */
  void close() {
    if (open) {
      open = false;
      unwatch();
      PosixLibC.close(fd);
      sink.end();
      onEnd.run();
    }
  }

  private void unwatch() {
    if (watched) {
      watched = false;
      supervisor.unwatch(fd);
    }
  }

  Sink sink() {
    return sink;
  }

  int fd() {
    return fd;
  }
}
