package dev.corral.internal.linux;

import dev.corral.internal.Leader;
import dev.corral.internal.posix.ExitWatcher;
import dev.corral.internal.posix.PosixLayout;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A run's leader through its pidfd: epoll tells its exit, waitid(P_PIDFD, WNOWAIT) reads the
 * status without reaping it. Everything but {@link #awaitExit} runs on the thread that owns the
 * run: the service thread, or before the hand-over the thread that holds it.
 */
final class PidfdLeader implements ExitWatcher {
  private final Supervisor supervisor;
  private final int pid;
  private final int pidfd;
  /** Guards {@link #pidfd} against being closed while a waiting caller duplicates it. */
  private final Object lock = new Object();
  private boolean closed;
  private boolean watching;

  PidfdLeader(Supervisor supervisor, int pid, int pidfd) {
    this.supervisor = supervisor;
    this.pid = pid;
    this.pidfd = pidfd;
  }

  @Override
  public long pid() {
    return pid;
  }

  /** Puts the pidfd in the service thread's epoll set now, from this thread: {@link Supervisor#arm}. */
  void arm() {
    supervisor.arm(pidfd, LibC.EPOLLIN);
    watching = true;
  }

  @Override
  public void watch(Runnable exited) {
    watching = true;
    supervisor.watch(pidfd, LibC.EPOLLIN, events -> exited.run());
  }

  /** Reads the status without reaping (WNOWAIT), and stops watching once it has exited. */
  @Override
  public Leader.Exit poll() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(Layouts.SIGINFO);
      LibC.waitidPidfd(pidfd, info, PosixLibC.WEXITED | LibC.WNOWAIT | LibC.WNOHANG);
      if (Layouts.siPid(info) == 0) {
        return null;
      }
      unwatch();
      int status = Layouts.siStatus(info);
      return Layouts.siCode(info) == LibC.CLD_EXITED
          ? new Leader.Exit(status, 0) : new Leader.Exit(-1, status);
    }
  }

  @Override
  public void release(boolean reap) {
    unwatch(); // supervision gave up with the leader alive, or failed: close must not block
    if (reap) {
      try (Arena arena = Arena.ofConfined()) {
        LibC.waitidPidfd(pidfd, arena.allocate(Layouts.SIGINFO), PosixLibC.WEXITED);
      }
    }
    synchronized (lock) {
      if (!closed) {
        closed = true;
        PosixLibC.close(pidfd);
      }
    }
  }

  /**
   * Blocks the calling platform thread up to {@code millis} until the leader has exited, polling a
   * duplicate of the pidfd (the service thread may close the original meanwhile). Any thread.
   */
  boolean awaitExit(int millis) {
    int fd;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      fd = LibC.fcntlQuiet(pidfd, LibC.F_DUPFD_CLOEXEC, 0);
    }
    if (fd < 0) {
      return false;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment poll = arena.allocate(PosixLayout.POLLFD);
      PosixLayout.setPollFd(poll, fd, PosixLibC.POLLIN);
      return PosixLibC.poll(poll, 1, millis) > 0;
    } finally {
      PosixLibC.close(fd);
    }
  }

  /** The pidfd, for the holder's own poll while the run is held ({@link LinuxRun#awaitLeader}). */
  int pidfd() {
    return pidfd;
  }

  private void unwatch() {
    if (watching) {
      watching = false;
      supervisor.unwatch(pidfd);
    }
  }
}
