package dev.corral.internal;

/** A running command as the platform supervises it. */
public interface Child {
  long pid();

  /**
   * Start the stop sequence with {@code signal} because the caller asked; returns at once. Once
   * it runs, a repeated call sends {@code signal} again when {@code resend}, else does nothing.
   */
  void cancel(int signal, boolean resend);

  /** The caller's end of a piped stdin ({@code Input.pipe()}), or null. */
  default java.io.OutputStream stdin() {
    return null;
  }

  /** The caller's end of a piped stdout ({@code Output.pipe()}), or null. */
  default java.io.InputStream stdout() {
    return null;
  }

  /** The caller's end of a piped stderr, or null. */
  default java.io.InputStream stderr() {
    return null;
  }

  /**
   * Blocks the calling platform thread for up to {@code millis} until the command's own process
   * has exited, and says whether the outcome is worth spinning for (it follows within
   * microseconds); false at once where that cannot be watched. Only a hint for a caller about to
   * wait for the outcome: woken by the kernel at that exit, it need not be woken again by the
   * service thread. Not for virtual threads: it blocks in native code.
   *
   * <p>For a run started held ({@link Platform#start}) it is the holder's one call, and required:
   * it finishes the run on this thread if it ends alone within the wait (then true, and the
   * outcome is delivered), and otherwise hands it over to the service thread.
   */
  default boolean awaitLeader(int millis) {
    return false;
  }
}
