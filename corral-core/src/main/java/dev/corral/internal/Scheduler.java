package dev.corral.internal;

/** A backend's service thread and clock. */
public interface Scheduler {
  default long nanoTime() {
    return System.nanoTime();
  }

  /** Runs {@code step} on the service thread, after what is queued; from any thread. */
  void execute(Runnable step);

  /** Runs {@code step} on the service thread at {@code atNanos}; service thread only. */
  Timer at(long atNanos, Runnable step);

  /** A step set to run later; cancelling a step that ran does nothing. */
  interface Timer {
    void cancel();
  }
}
