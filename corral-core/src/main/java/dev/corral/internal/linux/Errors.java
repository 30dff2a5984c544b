package dev.corral.internal.linux;

import dev.corral.internal.NativeException;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/** The one place where an errno becomes an exception. */
final class Errors {
  private Errors() {}

  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int ESRCH = 3;
  static final int EINTR = 4;
  static final int ENXIO = 6;
  static final int E2BIG = 7;
  static final int ENOEXEC = 8;
  static final int ECHILD = 10;
  static final int EAGAIN = 11;
  static final int ENOMEM = 12;
  static final int EACCES = 13;
  static final int EBUSY = 16;
  static final int EEXIST = 17;
  static final int ENODEV = 19;
  static final int ENOTDIR = 20;
  static final int EISDIR = 21;
  static final int EINVAL = 22;
  static final int ENFILE = 23;
  static final int EMFILE = 24;
  static final int ETXTBSY = 26;
  static final int EROFS = 30;
  static final int EPIPE = 32;
  static final int ENAMETOOLONG = 36;
  static final int ENOSYS = 38;
  static final int ENOTEMPTY = 39;
  static final int ELOOP = 40;
  static final int EOPNOTSUPP = 95;

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
