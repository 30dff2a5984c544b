package dev.corral.internal.linux;

import dev.corral.internal.NativeException;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.Native;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Bindings to glibc on Linux, one handle per C function, named after it. Wrappers throw {@link
 * NativeException} through {@link Errors}; calls whose failure is an expected outcome (a read that
 * would block, a signal to a process that just died) return the negated errno instead.
 *
 * <p>Signals go through {@link #kill} and {@link #pidfdSendSignal} only, and {@link #GUARD} vets
 * every target first.
 */
final class LibC {
  private LibC() {}

  // ---- constants (checked by LayoutsTest against the C headers) ----
  static final int O_RDONLY = 0;
  static final int O_WRONLY = 1;
  static final int O_RDWR = 2;
  static final int O_CREAT = 0100;
  static final int O_TRUNC = 01000;
  static final int O_APPEND = 02000;
  static final int O_NONBLOCK = 04000;
  static final int O_DIRECTORY = 0200000;
  static final int O_CLOEXEC = 02000000;

  static final short POSIX_SPAWN_SETPGROUP = 0x02;
  static final short POSIX_SPAWN_SETSIGDEF = 0x04;
  static final short POSIX_SPAWN_SETSIGMASK = 0x08;
  static final short POSIX_SPAWN_SETSID = 0x80;

  static final int EPOLL_CLOEXEC = O_CLOEXEC;
  static final int EPOLL_CTL_ADD = 1;
  static final int EPOLL_CTL_DEL = 2;
  static final int EPOLL_CTL_MOD = 3;
  static final int EPOLLIN = 0x001;
  static final int EPOLLPRI = 0x002;
  static final int EPOLLOUT = 0x004;
  static final int EPOLLERR = 0x008;
  static final int EPOLLHUP = 0x010;

  static final int EFD_CLOEXEC = O_CLOEXEC;
  static final int EFD_NONBLOCK = O_NONBLOCK;

  static final int P_PID = 1;
  static final int P_PIDFD = 3;
  static final int WNOHANG = 1;
  static final int WEXITED = 4;
  static final int WNOWAIT = 0x01000000;
  static final int CLD_EXITED = 1;
  static final int CLD_KILLED = 2;
  static final int CLD_DUMPED = 3;

  static final int F_SETFL = 4;
  static final int F_GETFL = 3;
  static final int F_SETPIPE_SZ = 1031;
  static final int F_DUPFD_CLOEXEC = 1030;
  static final int POLLIN = 0x001;

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
  static final int KCMP_VM = 1;
  static final int AT_FDCWD = -100;

  // ---- handles: all through Native's one descriptor (see there why) ----
  private static final MethodHandle posix_spawn$mh = Native.bind("posix_spawn");
  private static final MethodHandle posix_spawnattr_init$mh = Native.bind("posix_spawnattr_init");
  private static final MethodHandle posix_spawnattr_destroy$mh = Native.bind("posix_spawnattr_destroy");
  private static final MethodHandle posix_spawnattr_setflags$mh = Native.bind("posix_spawnattr_setflags");
  private static final MethodHandle posix_spawnattr_setsigmask$mh =
      Native.bind("posix_spawnattr_setsigmask");
  private static final MethodHandle posix_spawnattr_setsigdefault$mh =
      Native.bind("posix_spawnattr_setsigdefault");
  private static final MethodHandle posix_spawn_file_actions_init$mh =
      Native.bind("posix_spawn_file_actions_init");
  private static final MethodHandle posix_spawn_file_actions_destroy$mh =
      Native.bind("posix_spawn_file_actions_destroy");
  private static final MethodHandle posix_spawn_file_actions_adddup2$mh =
      Native.bind("posix_spawn_file_actions_adddup2");
  private static final MethodHandle posix_spawn_file_actions_addopen$mh =
      Native.bind("posix_spawn_file_actions_addopen");
  private static final MethodHandle posix_spawn_file_actions_addclose$mh =
      Native.bind("posix_spawn_file_actions_addclose");
  private static final MethodHandle posix_spawn_file_actions_addchdir_np$mh =
      Native.bind("posix_spawn_file_actions_addchdir_np");
  private static final MethodHandle posix_spawn_file_actions_addclosefrom_np$mh =
      Native.bind("posix_spawn_file_actions_addclosefrom_np");
  private static final MethodHandle pipe2$mh = Native.bind("pipe2");
  private static final MethodHandle close$mh = Native.bind("close");
  private static final MethodHandle read$mh = Native.bind("read");
  private static final MethodHandle pread$mh = Native.bind("pread");
  private static final MethodHandle poll$mh = Native.bind("poll");
  private static final MethodHandle write$mh = Native.bind("write");
  private static final MethodHandle splice$mh = Native.bind("splice");
  private static final MethodHandle eventfd$mh = Native.bind("eventfd");
  private static final MethodHandle epoll_create1$mh = Native.bind("epoll_create1");
  private static final MethodHandle epoll_ctl$mh = Native.bind("epoll_ctl");
  private static final MethodHandle epoll_wait$mh = Native.bind("epoll_wait");
  private static final MethodHandle waitid$mh = Native.bind("waitid");
  private static final MethodHandle kill$mh = Native.bind("kill");
  /** syscall(2) is assembly in glibc: it moves registers and reads no va_list. */
  private static final MethodHandle syscall$mh = Native.bind("syscall");
  private static final MethodHandle mkfifo$mh = Native.bind("mkfifo");
  private static final MethodHandle gettid$mh = Native.bind("gettid");
  private static final MethodHandle getpid$mh = Native.bind("getpid");
  private static final MethodHandle getpgrp$mh = Native.bind("getpgrp");
  private static final MethodHandle getsid$mh = Native.bind("getsid");

  /** Vets every signal target; read after the handles above exist. */
  static final dev.corral.internal.Guard GUARD =
      new dev.corral.internal.Guard(getpid(), getpgrp(), getsid(0));

  private static long a(MemorySegment s) {
    return s.address();
  }

  // ---- posix_spawn ----

  /**
   * posix_spawn(3). Returns the new pid; the C call returns an error number instead of setting
   * errno, and glibc reports a failed exec (ENOENT, EACCES, E2BIG, ...) the same way.
   */
  static int posixSpawn(
      MemorySegment pidOut, MemorySegment path, MemorySegment fileActions, MemorySegment attr,
      MemorySegment argv, MemorySegment envp) {
    int rc = (int) Native.call(posix_spawn$mh, a(pidOut), a(path), a(fileActions), a(attr), a(argv), a(envp));
    if (rc != 0) {
      throw Errors.fail("posix_spawn", rc);
    }
    return pidOut.get(ValueLayout.JAVA_INT, 0);
  }

  static void spawnattrInit(MemorySegment attr) {
    returnsErrorNumber("posix_spawnattr_init", Native.call(posix_spawnattr_init$mh, a(attr)));
  }

  static void spawnattrDestroy(MemorySegment attr) {
    Native.call(posix_spawnattr_destroy$mh, a(attr));
  }

  static void spawnattrSetflags(MemorySegment attr, short flags) {
    returnsErrorNumber("posix_spawnattr_setflags",
        Native.call(posix_spawnattr_setflags$mh, a(attr), flags & 0xffff));
  }

  static void spawnattrSetsigmask(MemorySegment attr, MemorySegment set) {
    returnsErrorNumber("posix_spawnattr_setsigmask",
        Native.call(posix_spawnattr_setsigmask$mh, a(attr), a(set)));
  }

  static void spawnattrSetsigdefault(MemorySegment attr, MemorySegment set) {
    returnsErrorNumber("posix_spawnattr_setsigdefault",
        Native.call(posix_spawnattr_setsigdefault$mh, a(attr), a(set)));
  }

  static void fileActionsInit(MemorySegment fa) {
    returnsErrorNumber("posix_spawn_file_actions_init",
        Native.call(posix_spawn_file_actions_init$mh, a(fa)));
  }

  static void fileActionsDestroy(MemorySegment fa) {
    Native.call(posix_spawn_file_actions_destroy$mh, a(fa));
  }

  static void fileActionsAddDup2(MemorySegment fa, int fd, int newfd) {
    returnsErrorNumber("posix_spawn_file_actions_adddup2",
        Native.call(posix_spawn_file_actions_adddup2$mh, a(fa), fd, newfd));
  }

  static void fileActionsAddOpen(MemorySegment fa, int fd, MemorySegment path, int flags, int mode) {
    returnsErrorNumber("posix_spawn_file_actions_addopen",
        Native.call(posix_spawn_file_actions_addopen$mh, a(fa), fd, a(path), flags, mode));
  }

  static void fileActionsAddClose(MemorySegment fa, int fd) {
    returnsErrorNumber("posix_spawn_file_actions_addclose",
        Native.call(posix_spawn_file_actions_addclose$mh, a(fa), fd));
  }

  static void fileActionsAddChdir(MemorySegment fa, MemorySegment path) {
    returnsErrorNumber("posix_spawn_file_actions_addchdir_np",
        Native.call(posix_spawn_file_actions_addchdir_np$mh, a(fa), a(path)));
  }

  static void fileActionsAddClosefrom(MemorySegment fa, int from) {
    returnsErrorNumber("posix_spawn_file_actions_addclosefrom_np",
        Native.call(posix_spawn_file_actions_addclosefrom_np$mh, a(fa), from));
  }

  // ---- descriptors ----

  /** pipe2(2): fills {@code fds} with the read end then the write end. */
  static void pipe2(MemorySegment fds, int flags) {
    check("pipe2", Native.call(pipe2$mh, a(fds), flags));
  }

  /** close(2). EINTR still closes the descriptor on Linux, so it is not retried. */
  static void close(int fd) {
    if ((int) Native.call(close$mh, fd) < 0 && Native.lastErrno() != Errors.ERRNO.EINTR) {
      throw Errors.fail("close", Native.lastErrno());
    }
  }

  /** read(2): bytes read, 0 at end of file, or a negated errno (-EAGAIN when empty). */
  static long read(int fd, MemorySegment buf, long count) {
    return orErrno(Native.call(read$mh, fd, a(buf), count));
  }

  /** pread(2): bytes read from {@code offset}, 0 at end of file, or a negated errno. */
  static long pread(int fd, MemorySegment buf, long count, long offset) {
    return orErrno(Native.call(pread$mh, fd, a(buf), count, offset));
  }

  /** poll(2) on {@code n} pollfd structs: how many are ready, 0 on timeout, or a negated errno. */
  static int poll(MemorySegment fds, int n, int timeoutMillis) {
    return (int) orErrno(Native.call(poll$mh, a(fds), n, timeoutMillis));
  }

  /** write(2): bytes written or a negated errno (-EAGAIN when full, -EPIPE when the reader left). */
  static long write(int fd, MemorySegment buf, long count) {
    return orErrno(Native.call(write$mh, fd, a(buf), count));
  }

  static final int SPLICE_F_MOVE = 1;
  static final int SPLICE_F_NONBLOCK = 2;

  /** splice(2) between two descriptors without offsets: bytes moved, 0 at end, or a negated errno. */
  static long splice(int in, int out, long count, int flags) {
    return orErrno(Native.call(splice$mh, in, 0, out, 0, count, flags));
  }

  /** openat(2) from the working directory: the new descriptor, or a negated errno. */
  static int open(MemorySegment path, int flags, int mode) {
    return (int) orErrno(Native.call(syscall$mh, SYS_OPENAT, AT_FDCWD, a(path), flags, mode));
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
    return (int) orErrno(Native.call(syscall$mh, SYS_FCNTL, fd, cmd, arg));
  }

  static int eventfd(int initval, int flags) {
    return check("eventfd", Native.call(eventfd$mh, initval, flags));
  }

  // ---- epoll ----

  static int epollCreate1(int flags) {
    return check("epoll_create1", Native.call(epoll_create1$mh, flags));
  }

  static void epollCtl(int epfd, int op, int fd, MemorySegment event) {
    check("epoll_ctl", Native.call(epoll_ctl$mh, epfd, op, fd, a(event)));
  }

  /** epoll_wait(2): the number of ready events, or 0 when interrupted by a signal. */
  static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
    int rc = (int) Native.call(epoll_wait$mh, epfd, a(events), max, timeoutMillis);
    if (rc < 0 && Native.lastErrno() == Errors.ERRNO.EINTR) {
      return 0;
    }
    return check("epoll_wait", rc);
  }

  // ---- processes ----

  /** kcmp(2): 0 when the two processes share the resource, a positive order if not, or -errno. */
  static int kcmp(int pid1, int pid2, int type) {
    return (int) orErrno(Native.call(syscall$mh, SYS_KCMP, pid1, pid2, type, 0, 0));
  }

  /** pidfd_open(2) through syscall(2), so glibc older than 2.36 works too. */
  static int pidfdOpen(int pid) {
    return (int) orErrno(Native.call(syscall$mh, SYS_PIDFD_OPEN, pid, 0));
  }

  /**
   * pidfd_send_signal(2): 0, or a negated errno (-ESRCH once the process has exited). A pidfd
   * names one process for its whole life, so this cannot hit a recycled pid; {@code pid} is the
   * pid the pidfd was opened for, vetted by {@link #GUARD}.
   */
  static int pidfdSendSignal(int pidfd, int pid, int sig) {
    GUARD.check(pid);
    return (int) orErrno(Native.call(syscall$mh, SYS_PIDFD_SEND_SIGNAL, pidfd, sig, 0, 0));
  }

  /**
   * waitid(2) on a pidfd. Returns 0 when {@code info} was filled, or -ECHILD. With WNOHANG and
   * nothing to report, it returns 0 and leaves si_pid at 0.
   */
  static int waitidPidfd(int pidfd, MemorySegment info, int options) {
    while (true) {
      if ((int) Native.call(waitid$mh, P_PIDFD, pidfd, a(info), options) == 0) {
        return 0;
      }
      int errno = Native.lastErrno();
      if (errno == Errors.ERRNO.EINTR) {
        continue;
      }
      if (errno == Errors.ERRNO.ECHILD) {
        return -errno;
      }
      throw Errors.fail("waitid", errno);
    }
  }

  /** Blocks until the child {@code pid} has exited and reaps it: only for a child no pidfd watches. */
  static void reap(int pid) {
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      MemorySegment info = arena.allocate(Layouts.SIGINFO);
      while ((int) Native.call(waitid$mh, P_PID, pid, a(info), WEXITED) != 0
          && Native.lastErrno() == Errors.ERRNO.EINTR) {
        // retry
      }
    }
  }

  /**
   * kill(2), after {@link #GUARD} has vetted the target. Returns 0 or a negated errno. Callers
   * must prove the target belongs to the run (an unreaped leader's group, or a frozen cgroup).
   */
  static int kill(int pid, int sig) {
    GUARD.check(pid);
    return (int) orErrno((int) Native.call(kill$mh, pid, sig));
  }

  /** mkfifo(3): 0 or a negated errno. */
  static int mkfifo(MemorySegment path, int mode) {
    return (int) orErrno((int) Native.call(mkfifo$mh, a(path), mode));
  }

  /** gettid(2): the calling thread's kernel id (glibc 2.30). */
  static int gettid() {
    return (int) Native.call(gettid$mh);
  }

  static int getpid() {
    return (int) Native.call(getpid$mh);
  }

  static int getpgrp() {
    return (int) Native.call(getpgrp$mh);
  }

  static int getsid(int pid) {
    return check("getsid", Native.call(getsid$mh, pid));
  }

  // ---- this process's own signal state: sigaction is bound in every JVM (SIGCHLD is checked at
  // start), the other two only in a JVM that mirrors a child's death ----

  static final int SIG_BLOCK = 0;
  static final int SIG_UNBLOCK = 1;
  static final int PR_SET_DUMPABLE = 4;
  static final long SIG_DFL = 0;
  static final long SIG_IGN = 1;

  private static final class Own {
    static final MethodHandle sigaction$mh = Native.bind("sigaction");
    static final MethodHandle pthread_sigmask$mh = Native.bind("pthread_sigmask");
    static final MethodHandle raise$mh = Native.bind("raise");
  }

  /**
   * sigaction(2) with {@code act} and {@code old} (either may be NULL). Throws on EINVAL, which
   * names a signal that cannot be caught or ignored.
   */
  static void sigaction(int sig, MemorySegment act, MemorySegment old) {
    check("sigaction", Native.call(Own.sigaction$mh, sig, a(act), a(old)));
  }

  /** pthread_sigmask(3) for the calling thread; the C call returns an error number. */
  static void pthreadSigmask(int how, MemorySegment set, MemorySegment old) {
    returnsErrorNumber("pthread_sigmask", Native.call(Own.pthread_sigmask$mh, how, a(set), a(old)));
  }

  /**
   * raise(3): the calling thread signals itself. The one way Corral signals its own process, and
   * only to end it as its child ended ({@code Platform.dieBy}); never through {@link #kill}.
   */
  static void raise(int sig) {
    Native.call(Own.raise$mh, sig);
  }

  /** prctl(2) with one argument: 0 or a negated errno. */
  static int prctl(int option, long arg) {
    return (int) orErrno(Native.call(syscall$mh, SYS_PRCTL, option, arg));
  }

  // ---- helpers ----

  /** A C int result: itself, or an exception naming {@code call} and errno when negative. */
  private static int check(String call, long result) {
    int rc = (int) result;
    if (rc < 0) {
      throw Errors.fail(call, Native.lastErrno());
    }
    return rc;
  }

  /**
   * A result that may be -1: itself, or the negated errno, for callers that expect failure. An
   * int result must be narrowed before it gets here: the upper half of the register is not its.
   */
  private static long orErrno(long result) {
    return result >= 0 ? result : -Native.lastErrno();
  }

  /** For calls that return an error number instead of setting errno. */
  private static void returnsErrorNumber(String call, long rc) {
    if ((int) rc != 0) {
      throw Errors.fail(call, (int) rc);
    }
  }
}
