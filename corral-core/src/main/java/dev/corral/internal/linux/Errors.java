package dev.corral.internal.linux;

import dev.corral.internal.NativeException;
import dev.corral.internal.posix.Errno;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/** The one place where an errno becomes an exception. */
final class Errors {
  private Errors() {}

  /** Linux's errno numbers. */
  static final Errno ERRNO = Errno.LINUX;

  private static final Optional<MethodHandle> STRERRORDESC_NP = Native.bindOptional("strerrordesc_np");
  private static final Optional<MethodHandle> STRERRORNAME_NP = Native.bindOptional("strerrorname_np");

  static NativeException fail(String call, int errno) {
    return fail(call, null, errno);
  }

  /** With the argument that matters, such as the path: {@code write(/x/cgroup.procs) failed: ...}. */
  static NativeException fail(String call, String argument, int errno) {
    return new NativeException(call, argument, errno, name(errno), describe(errno));
  }

  /** The C library's text for errno, such as "No such file or directory". */
  static String describe(int errno) {
    return text(STRERRORDESC_NP, errno).orElse("errno " + errno);
  }

  /** The symbolic name for errno, such as "ENOENT". */
  static String name(int errno) {
    return text(STRERRORNAME_NP, errno).orElse("E" + errno);
  }

  private static Optional<String> text(Optional<MethodHandle> handle, int errno) {
    return handle.map(h -> Native.string(Native.call(h, errno)));
  }
}
