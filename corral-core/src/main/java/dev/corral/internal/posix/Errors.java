package dev.corral.internal.posix;

import dev.corral.internal.NativeException;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The one place where an errno becomes an exception. The texts come from glibc's
 * strerrordesc_np and strerrorname_np (2.32) where this libc has them, else "errno N" and "EN".
 */
public final class Errors {
  private Errors() {}

  /** This OS's errno numbers. */
  public static final Errno ERRNO = Errno.current();

  private static final Optional<MethodHandle> STRERRORDESC_NP = Native.bindOptional("strerrordesc_np");
  private static final Optional<MethodHandle> STRERRORNAME_NP = Native.bindOptional("strerrorname_np");

  public static NativeException fail(String call, int errno) {
    return fail(call, null, errno);
  }

  /** With the argument that matters, such as the path: {@code write(/x/cgroup.procs) failed: ...}. */
  public static NativeException fail(String call, String argument, int errno) {
    return new NativeException(call, argument, errno, name(errno), describe(errno));
  }

  /** A C int result: itself, or an exception naming {@code call} and errno when negative. */
  public static int check(String call, long result) {
    int rc = (int) result;
    if (rc < 0) {
      throw fail(call, Native.lastErrno());
    }
    return rc;
  }

  /** For calls that return an error number instead of setting errno: throws unless it is 0. */
  public static void checkErrorNumber(String call, long rc) {
    if ((int) rc != 0) {
      throw fail(call, (int) rc);
    }
  }

  /** The C library's text for errno, such as "No such file or directory". */
  public static String describe(int errno) {
    return text(STRERRORDESC_NP, errno).orElse("errno " + errno);
  }

  /** The symbolic name for errno, such as "ENOENT". */
  public static String name(int errno) {
    return text(STRERRORNAME_NP, errno).orElse("E" + errno);
  }

  private static Optional<String> text(Optional<MethodHandle> handle, int errno) {
    return handle.map(h -> Native.string(Native.call(h, errno)));
  }
}
