package dev.corral.internal.posix;

import dev.corral.CorralException;

/**
 * The errno numbers Corral acts on, per OS, as data: POSIX fixes the names, not the numbers
 * (EAGAIN is 11 on Linux and 35 on macOS). Each backend picks its table once; no number is a
 * literal shared across OSes. Pure, so every table is testable on any host.
 */
public final class Errno {
  public final String os;
  public final int EPERM;
  public final int ENOENT;
  public final int ESRCH;
  public final int EINTR;
  public final int ENXIO;
  public final int E2BIG;
  public final int ENOEXEC;
  public final int ECHILD;
  public final int EAGAIN;
  public final int ENOMEM;
  public final int EACCES;
  public final int EBUSY;
  public final int EEXIST;
  public final int ENODEV;
  public final int ENOTDIR;
  public final int EISDIR;
  public final int EINVAL;
  public final int ENFILE;
  public final int EMFILE;
  public final int ENOTTY;
  public final int ETXTBSY;
  public final int EROFS;
  public final int EPIPE;
  public final int ENAMETOOLONG;
  public final int ENOSYS;
  public final int ENOTEMPTY;
  public final int ELOOP;
  public final int EOPNOTSUPP;

  /** Linux on every architecture Java runs on (asm-generic/errno*.h). */
  public static final Errno LINUX = new Errno("Linux", 36, 38, 39, 40, 95, 11);

  /** macOS (Darwin's sys/errno.h; FreeBSD differs at least for EOPNOTSUPP, 45). */
  public static final Errno DARWIN = new Errno("Darwin", 63, 78, 66, 62, 102, 35);

  /** 1 to 32 are the same on Linux and the BSDs; the rest differ and come as arguments. */
  private Errno(String os, int enametoolong, int enosys, int enotempty, int eloop, int eopnotsupp,
      int eagain) {
    this.os = os;
    EPERM = 1;
    ENOENT = 2;
    ESRCH = 3;
    EINTR = 4;
    ENXIO = 6;
    E2BIG = 7;
    ENOEXEC = 8;
    ECHILD = 10;
    EAGAIN = eagain;
    ENOMEM = 12;
    EACCES = 13;
    EBUSY = 16;
    EEXIST = 17;
    ENODEV = 19;
    ENOTDIR = 20;
    EISDIR = 21;
    EINVAL = 22;
    ENFILE = 23;
    EMFILE = 24;
    ENOTTY = 25;
    ETXTBSY = 26;
    EROFS = 30;
    EPIPE = 32;
    ENAMETOOLONG = enametoolong;
    ENOSYS = enosys;
    ENOTEMPTY = enotempty;
    ELOOP = eloop;
    EOPNOTSUPP = eopnotsupp;
  }

  /** The table for an {@code os.name} value ("Linux", "Mac OS X"), or null for any other OS. */
  public static Errno forOs(String osName) {
    String os = osName == null ? "" : osName.toLowerCase(java.util.Locale.ROOT);
    if (os.startsWith("linux")) {
      return LINUX;
    }
    return os.startsWith("mac") || os.startsWith("darwin") ? DARWIN : null;
  }

  /** This JVM's table, by {@code os.name}; throws on an OS that has none. */
  public static Errno current() {
    Errno errno = forOs(System.getProperty("os.name"));
    if (errno == null) {
      throw new UnsupportedOperationException("no errno table for " + System.getProperty("os.name"));
    }
    return errno;
  }

  /** Why a spawn failed with {@code errno}, as the API reports it. */
  public CorralException.Reason spawnFailure(int errno) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return CorralException.Reason.NOT_FOUND;
    }
    if (errno == EACCES || errno == ENOEXEC || errno == ETXTBSY || errno == EPERM || errno == ELOOP
        || errno == ENAMETOOLONG) {
      return CorralException.Reason.NOT_EXECUTABLE;
    }
    if (errno == EISDIR) {
      return CorralException.Reason.IS_DIRECTORY;
    }
    if (errno == E2BIG) {
      return CorralException.Reason.ARGUMENT_LIST_TOO_LONG;
    }
    if (errno == EAGAIN || errno == ENOMEM || errno == EMFILE || errno == ENFILE) {
      return CorralException.Reason.RESOURCE_LIMIT;
    }
    return CorralException.Reason.SYSTEM;
  }

  @Override
  public String toString() {
    return "Errno[" + os + "]";
  }
}
