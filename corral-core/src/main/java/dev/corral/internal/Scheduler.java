package dev.corral.internal;

/** A backend's service thread and clock. */
public interface Scheduler {
  default long nanoTime() {
    return System.nanoTime();
  }

  /** Runs {@code step} on the service thread, after what is queued; from any thread. */
  void execute(Runnable step);

  /**
   * As {@link #execute}, but the service thread need not wake for it before {@code wakeByNanos}:
   * for a step whose run's events will wake it anyway ({@link Long#MAX_VALUE}: nothing else needs
   * it sooner). From any thread.
   */
  default void executeQuietly(Runnable step, long wakeByNanos) {
    execute(step);
  }

  /** Runs {@code step} on the service thread at {@code atNanos}; service thread only. */
  Timer at(long atNanos, Runnable step);

  /** A step set to run later; cancelling a step that ran does nothing. */
  interface Timer {
    void cancel();
  }
}
