package dev.corral.internal.linux;

import dev.corral.internal.Sink;
import java.lang.foreign.MemorySegment;

/** Moves a child's stdout or stderr from its pipe into a {@link Sink}, on the service thread. */
final class PipeReader {
  /** Read at most this much per readiness event, so one chatty child cannot starve the others. */
  private static final int BUDGET = 4 << 20;

  private final Supervisor supervisor;
  private final int fd;
  private final Sink sink;
  private final Runnable onEnd;
  private boolean open = true;
  private boolean spliceable = true;

  PipeReader(Supervisor supervisor, int fd, Sink sink, Runnable onEnd) {
    this.supervisor = supervisor;
    this.fd = fd;
    this.sink = sink;
    this.onEnd = onEnd;
  }

  /** Start reading; {@code guard} wraps each step so a failing consumer fails its run, not the loop. */
  void watch(java.util.function.UnaryOperator<Runnable> guard) {
    Runnable step = guard.apply(() -> drain(BUDGET));
    supervisor.watch(fd, LibC.EPOLLIN, events -> step.run());
  }

  boolean isOpen() {
    return open;
  }

  /** Reads what is there now, up to {@code budget} bytes; closes at end of file. */
  void drain(int budget) {
    MemorySegment buf = supervisor.readBuffer;
    int total = 0;
    while (open && total < budget) {
      if (spliceable && sink.full()) {
        // Past the capture limit: move the pages to /dev/null in the kernel, never copying them.
        long n = LibC.splice(fd, supervisor.devNull, 1 << 20, LibC.SPLICE_F_MOVE | LibC.SPLICE_F_NONBLOCK);
        if (n > 0) {
          ((Sink.Capture) sink).dropped();
          total += (int) n;
          continue;
        } else if (n == -Errors.EAGAIN) {
          return;
        } else if (n == -Errors.EINVAL) {
          spliceable = false; // not a pipe after all: read and drop instead
        } else if (n != -Errors.EINTR) {
          close(); // 0 is end of file; any other error ends the stream too
          return;
        }
        continue;
      }
      long n = LibC.read(fd, buf, buf.byteSize());
      if (n > 0) {
        sink.accept(buf, (int) n);
        total += (int) n;
      } else if (n == -Errors.EAGAIN) {
        return;
      } else if (n == -Errors.EINTR) {
        continue;
      } else {
        close(); // 0 is end of file; any other error ends the stream too
      }
    }
  }

  /** Stops reading, whatever is left in the pipe. */
  void close() {
    if (open) {
      open = false;
      supervisor.unwatch(fd);
      LibC.close(fd);
      sink.end();
      onEnd.run();
    }
  }

  Sink sink() {
    return sink;
  }
}
