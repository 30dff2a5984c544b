package dev.corral.internal.posix;

import dev.corral.internal.Leader;

/**
 * The leader of a POSIX run, watched without being reaped: its status is read with waitid's
 * WNOWAIT, so its pid (and with it the run's process group and session id) cannot be reused until
 * the run reaps it at the very end. Linux watches through a pidfd and epoll; macOS would use a
 * kqueue EVFILT_PROC filter.
 */
public interface ExitWatcher extends Leader {

  /** Starts watching: {@code exited} runs on the service thread once the leader has exited. */
  void watch(Runnable exited);
}
