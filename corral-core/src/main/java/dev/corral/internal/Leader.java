package dev.corral.internal;

/** The run's own process, kept unreaped until the end so its pid cannot be reused. */
public interface Leader {
  long pid();

  /** How it ended, once it has (without reaping it); null while it runs. */
  Exit poll();

  /** The run is over: reap it when {@code reap}, else only stop watching it; close its handle. */
  void release(boolean reap);

  /**
   * How the leader ended.
   *
   * @param exitCode -1 when a signal ended it
   * @param signal 0 when it exited
   */
  record Exit(int exitCode, int signal) {}
}
