package dev.corral.internal.linux;

import dev.corral.internal.StdinPipe;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.UnaryOperator;

/**
 * Feeds a child's stdin on the service thread as the child reads it, then closes it: fixed bytes
 * ({@code Input.bytes}), or what the caller writes to a {@link StdinPipe} ({@code Input.pipe()}),
 * watched for room only while something waits to be written.
 */
final class PipeWriter {
  private static final int STAGING = 64 << 10;

  private final Supervisor supervisor;
  private final int fd;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment data;
  private final long length;
  private final StdinPipe pipe;
  private long offset;
  private boolean open = true;
  private boolean watched;
  private Runnable step;

  PipeWriter(Supervisor supervisor, int fd, byte[] bytes) {
    this.supervisor = supervisor;
    this.fd = fd;
    this.data = arena.allocate(Math.max(1, bytes.length));
    MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
    this.length = bytes.length;
    this.pipe = null;
  }

  PipeWriter(Supervisor supervisor, int fd, StdinPipe pipe) {
    this.supervisor = supervisor;
    this.fd = fd;
    this.data = arena.allocate(STAGING);
    this.length = -1;
    this.pipe = pipe;
  }

  void watch(UnaryOperator<Runnable> guard) {
    step = guard.apply(this::feed);
    if (pipe != null) {
      pipe.onData(() -> supervisor.execute(step));
      feed(); // the caller may have closed it already
    } else if (length == 0) {
      close();
    } else {
      watchForRoom();
    }
  }

  private void feed() {
    if (pipe != null) {
      feedPipe();
      return;
    }
    while (open && offset < length) {
      long n = PosixLibC.write(fd, data.asSlice(offset), length - offset);
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

  private void feedPipe() {
    while (open) {
      byte[] head = pipe.peek();
      if (head == null) {
        if (pipe.finished()) {
          close(); // the caller closed it and all went out: end of file for the child
        } else if (watched) {
          watched = false; // nothing to write: wait for the caller, not for room
          supervisor.unwatch(fd);
        }
        return;
      }
      int from = pipe.offset();
      int n = Math.min(head.length - from, STAGING);
      MemorySegment.copy(head, from, data, ValueLayout.JAVA_BYTE, 0, n);
      long written = PosixLibC.write(fd, data, n);
      if (written > 0) {
        pipe.taken((int) written);
      } else if (written == -Errors.ERRNO.EAGAIN) {
        watchForRoom();
        return;
      } else if (written != -Errors.ERRNO.EINTR) {
        pipe.broken("Broken pipe: the command closed its stdin");
        close();
        return;
      }
    }
  }

  private void watchForRoom() {
    if (!watched) {
      watched = true;
      supervisor.watchBulk(fd, LibC.EPOLLOUT, events -> step.run());
    }
  }

  void close() {
    if (open) {
      open = false;
      if (watched) {
        watched = false;
        supervisor.unwatch(fd);
      }
      PosixLibC.close(fd);
      arena.close();
      if (pipe != null) {
        pipe.broken("the run is over: its stdin is closed");
      }
    }
  }
}
