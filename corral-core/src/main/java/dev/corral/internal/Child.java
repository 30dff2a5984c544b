package dev.corral.internal;

/** A running command as the platform supervises it. */
public interface Child {
  long pid();

  /** Start the stop sequence because the caller asked; idempotent, returns at once. */
  void cancel();
}
