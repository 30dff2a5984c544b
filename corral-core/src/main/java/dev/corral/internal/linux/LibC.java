package dev.corral.internal.linux;

import dev.corral.internal.NativeException;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.Native;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Bindings to what only Linux and glibc have, one handle per C function, named after it; what
 * every POSIX libc has is in {@link PosixLibC}. Wrappers throw {@link NativeException} through
 * {@link Errors}; calls whose failure is an expected outcome (a read that would block, a signal to
 * a process that just died) return the negated errno instead.
 *
 * <p>Signals go through {@link PosixLibC#kill} and {@link #pidfdSendSignal} only, and {@link
 * PosixLibC#GUARD} vets every target of both first.
 */
final class LibC {
  private LibC() {}

  // ---- constants (checked by LayoutsTest against the C headers) ----
  static final int EPOLL_CLOEXEC = 02000000; // O_CLOEXEC
  static final int EPOLL_CTL_ADD = 1;
  static final int EPOLL_CTL_DEL = 2;
  static final int EPOLL_CTL_MOD = 3;
  static final int EPOLLIN = 0x001;
  static final int EPOLLPRI = 0x002;
  static final int EPOLLOUT = 0x004;
  static final int EPOLLERR = 0x008;
  static final int EPOLLHUP = 0x010;

  static final int EFD_CLOEXEC = 02000000; // O_CLOEXEC
  static final int EFD_NONBLOCK = 04000; // O_NONBLOCK

  static final int P_PIDFD = 3;
  static final int WNOHANG = 1;
  static final int WNOWAIT = 0x01000000;
  static final int CLD_EXITED = 1;
  static final int CLD_KILLED = 2;
  static final int CLD_DUMPED = 3;

  static final int F_SETFL = 4;
  static final int F_GETFL = 3;
  static final int F_SETPIPE_SZ = 1031;
  static final int F_DUPFD_CLOEXEC = 1030;

  static final int SIGKILL = 9;
  static final int SIGTERM = 15;
  static final int SIGCONT = 18;
  static final int NSIG = 65;

  static final long SYS_PIDFD_SEND_SIGNAL = 424;
  static final long SYS_PIDFD_OPEN = 434;

  /** System call numbers where they differ between x86_64 and aarch64 (checked by LayoutsTest). */
  private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
  static final long SYS_OPENAT = AARCH64 ? 56 : 257;
  static final long SYS_FCNTL = AARCH64 ? 25 : 72;
  static final long SYS_PRCTL = AARCH64 ? 167 : 157;
  static final long SYS_KCMP = AARCH64 ? 272 : 312;
  static final long SYS_IOCTL = AARCH64 ? 29 : 16;
  static final int KCMP_VM = 1;
  static final int AT_FDCWD = -100;

  // ---- handles: all through Native's one descriptor (see there why) ----
  /** glibc 2.34. */
  private static final MethodHandle posix_spawn_file_actions_addclosefrom_np$mh =
      Native.bind("posix_spawn_file_actions_addclosefrom_np");
  private static final MethodHandle pipe2$mh = Native.bind("pipe2");
  private static final MethodHandle splice$mh = Native.bind("splice");
  private static final MethodHandle eventfd$mh = Native.bind("eventfd");
  private static final MethodHandle epoll_create1$mh = Native.bind("epoll_create1");
  private static final MethodHandle epoll_ctl$mh = Native.bind("epoll_ctl");
  private static final MethodHandle epoll_wait$mh = Native.bind("epoll_wait");
  /** syscall(2) is assembly in glibc: it moves registers and reads no va_list. */
  private static final MethodHandle syscall$mh = Native.bind("syscall");
  private static final MethodHandle gettid$mh = Native.bind("gettid");

  private static long a(MemorySegment s) {
    return s.address();
  }

  // ---- posix_spawn: what glibc adds ----

  static void fileActionsAddClosefrom(MemorySegment fa, int from) {
    Errors.checkErrorNumber("posix_spawn_file_actions_addclosefrom_np",
        Native.call(posix_spawn_file_actions_addclosefrom_np$mh, a(fa), from));
  }

  // ---- descriptors ----

  /** pipe2(2): fills {@code fds} with the read end then the write end. */
  static void pipe2(MemorySegment fds, int flags) {
    Errors.check("pipe2", Native.call(pipe2$mh, a(fds), flags));
  }

  static final int SPLICE_F_MOVE = 1;
  static final int SPLICE_F_NONBLOCK = 2;

  /** splice(2) between two descriptors without offsets: bytes moved, 0 at end, or a negated errno. */
  static long splice(int in, int out, long count, int flags) {
    return Native.orErrno(Native.call(splice$mh, in, 0, out, 0, count, flags));
  }

  /** openat(2) from the working directory: the new descriptor, or a negated errno. */
  static int open(MemorySegment path, int flags, int mode) {
    return (int) Native.orErrno(Native.call(syscall$mh, SYS_OPENAT, AT_FDCWD, a(path), flags, mode));
  }

  static int fcntl(int fd, int cmd, int arg) {
    int rc = fcntlQuiet(fd, cmd, arg);
    if (rc < 0) {
      throw Errors.fail("fcntl", -rc);
    }
    return rc;
  }

  /** fcntl(2) whose failure is acceptable: returns the result or a negated errno. */
  static int fcntlQuiet(int fd, int cmd, int arg) {
    return (int) Native.orErrno(Native.call(syscall$mh, SYS_FCNTL, fd, cmd, arg));
  }

  static int eventfd(int initval, int flags) {
    return Errors.check("eventfd", Native.call(eventfd$mh, initval, flags));
  }

  // ---- epoll ----

  static int epollCreate1(int flags) {
    return Errors.check("epoll_create1", Native.call(epoll_create1$mh, flags));
  }

  static void epollCtl(int epfd, int op, int fd, MemorySegment event) {
    Errors.check("epoll_ctl", Native.call(epoll_ctl$mh, epfd, op, fd, a(event)));
  }

  /** epoll_wait(2): the number of ready events, or 0 when interrupted by a signal. */
  static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
    int rc = (int) Native.call(epoll_wait$mh, epfd, a(events), max, timeoutMillis);
    if (rc < 0 && Native.lastErrno() == Errors.ERRNO.EINTR) {
      return 0;
    }
    return Errors.check("epoll_wait", rc);
  }

  // ---- processes ----

  /** kcmp(2): 0 when the two processes share the resource, a positive order if not, or -errno. */
  static int kcmp(int pid1, int pid2, int type) {
    return (int) Native.orErrno(Native.call(syscall$mh, SYS_KCMP, pid1, pid2, type, 0, 0));
  }

  /** _IOWR(PIDFS_IOCTL_MAGIC 0xFF, 11, struct pidfd_info) with the struct's first size, 64. */
  static final long PIDFD_GET_INFO = (3L << 30) | (64L << 16) | (0xFFL << 8) | 11;
  static final long PIDFD_INFO_PID = 1;

  /**
   * The pid of a pidfd's process as this process's pid namespace sees it, by the PIDFD_GET_INFO
   * ioctl (Linux 6.13): one call, where glibc's pidfd_getpid opens and parses /proc/self/fdinfo.
   * Returns the pid, 0 if the process is not visible here, or a negated errno (-ENOTTY or -EINVAL
   * before 6.13, -ESRCH once it has been reaped). {@code info} holds at least 64 bytes.
   */
  static int pidfdPid(int pidfd, MemorySegment info) {
    info.fill((byte) 0);
    info.set(ValueLayout.JAVA_LONG, 0, PIDFD_INFO_PID);
    int rc = (int) Native.orErrno(Native.call(syscall$mh, SYS_IOCTL, pidfd, PIDFD_GET_INFO, a(info)));
    if (rc < 0) {
      return rc;
    }
    // struct pidfd_info: __u64 mask, __u64 cgroupid, __u32 pid, ...
    return (info.get(ValueLayout.JAVA_LONG, 0) & PIDFD_INFO_PID) != 0
        ? info.get(ValueLayout.JAVA_INT, 16) : 0;
  }

  /** pidfd_open(2) through syscall(2), so glibc older than 2.36 works too. */
  static int pidfdOpen(int pid) {
    return (int) Native.orErrno(Native.call(syscall$mh, SYS_PIDFD_OPEN, pid, 0));
  }

  /**
   * pidfd_send_signal(2): 0, or a negated errno (-ESRCH once the process has exited). A pidfd
   * names one process for its whole life, so this cannot hit a recycled pid; {@code pid} is the
   * pid the pidfd was opened for, vetted by {@link PosixLibC#GUARD}.
   */
  static int pidfdSendSignal(int pidfd, int pid, int sig) {
    PosixLibC.GUARD.check(pid);
    return (int) Native.orErrno(Native.call(syscall$mh, SYS_PIDFD_SEND_SIGNAL, pidfd, sig, 0, 0));
  }

  /**
   * waitid(2) on a pidfd. Returns 0 when {@code info} was filled, or -ECHILD. With WNOHANG and
   * nothing to report, it returns 0 and leaves si_pid at 0.
   */
  static int waitidPidfd(int pidfd, MemorySegment info, int options) {
    while (true) {
      int rc = PosixLibC.waitid(P_PIDFD, pidfd, info, options);
      if (rc == 0) {
        return 0;
      }
      int errno = -rc;
      if (errno == Errors.ERRNO.EINTR) {
        continue;
      }
      if (errno == Errors.ERRNO.ECHILD) {
        return -errno;
      }
      throw Errors.fail("waitid", errno);
    }
  }

  /** gettid(2): the calling thread's kernel id (glibc 2.30). */
  static int gettid() {
    return (int) Native.call(gettid$mh);
  }

  static final int PR_SET_DUMPABLE = 4;

  /** prctl(2) with one argument: 0 or a negated errno. */
  static int prctl(int option, long arg) {
    return (int) Native.orErrno(Native.call(syscall$mh, SYS_PRCTL, option, arg));
  }
}
