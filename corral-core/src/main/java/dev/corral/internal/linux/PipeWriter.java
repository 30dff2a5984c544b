package dev.corral.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Feeds bytes into a child's stdin as the child reads them, then closes it, on the service thread. */
final class PipeWriter {
  private final Supervisor supervisor;
  private final int fd;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment data;
  private long offset;
  private boolean open = true;

  PipeWriter(Supervisor supervisor, int fd, byte[] bytes) {
    this.supervisor = supervisor;
    this.fd = fd;
    this.data = arena.allocate(Math.max(1, bytes.length));
    MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
    this.length = bytes.length;
  }

  private final long length;

  void watch(java.util.function.UnaryOperator<Runnable> guard) {
    if (length == 0) {
      close();
      return;
    }
    Runnable step = guard.apply(this::feed);
    supervisor.watchBulk(fd, LibC.EPOLLOUT, events -> step.run());
  }

  private void feed() {
    while (open && offset < length) {
      long n = LibC.write(fd, data.asSlice(offset), length - offset);
      if (n > 0) {
        offset += n;
      } else if (n == -Errors.ERRNO.EAGAIN) {
        return;
      } else if (n != -Errors.ERRNO.EINTR) {
        break; // EPIPE: the child closed its stdin; what it did not read is dropped
      }
    }
    close();
  }

  void close() {
    if (open) {
      open = false;
      if (length > 0) {
        supervisor.unwatch(fd);
      }
      LibC.close(fd);
      arena.close();
    }
  }
}
