package dev.corral.internal;

/** A running command as the platform supervises it. */
public interface Child {
  long pid();

  /**
   * Start the stop sequence with {@code signal} because the caller asked; returns at once. Once
   * it runs, a repeated call sends {@code signal} again when {@code resend}, else does nothing.
   */
  void cancel(int signal, boolean resend);
}
