package dev.corral.internal;

/**
 * A failed native call: which call, and the errno it left. Built in exactly one place per platform
 * ({@code Errors}), so every message reads {@code call(..) failed: <strerror>}.
 */
public final class NativeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String call;
  private final int errno;
  private final String errnoName;

  public NativeException(String call, String argument, int errno, String errnoName, String description) {
    super(call + "(" + (argument == null ? ".." : argument) + ") failed: " + description + " (" + errnoName + ")");
    this.call = call;
    this.errno = errno;
    this.errnoName = errnoName;
  }

  /** The C function that failed, such as {@code pidfd_open}. */
  public String call() {
    return call;
  }

  public int errno() {
    return errno;
  }

  /** The symbolic name, such as {@code ENOENT}. */
  public String errnoName() {
    return errnoName;
  }
}
