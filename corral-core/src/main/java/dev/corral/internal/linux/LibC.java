package dev.corral.internal.linux;

import static dev.corral.internal.linux.Native.INT;
import static dev.corral.internal.linux.Native.LONG;
import static dev.corral.internal.linux.Native.PTR;
import static dev.corral.internal.linux.Native.SIZE_T;

import dev.corral.internal.NativeException;
import java.lang.foreign.FunctionDescriptor;
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

  static final int SIGKILL = 9;
  static final int SIGCONT = 18;
  static final int NSIG = 65;


  static final long SYS_PIDFD_SEND_SIGNAL = 424;
  static final long SYS_PIDFD_OPEN = 434;

  // ---- handles ----
  private static final MethodHandle posix_spawn$mh =
      Native.plain("posix_spawn", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, PTR));
  private static final MethodHandle posix_spawnattr_init$mh =
      Native.plain("posix_spawnattr_init", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle posix_spawnattr_destroy$mh =
      Native.plain("posix_spawnattr_destroy", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle posix_spawnattr_setflags$mh =
      Native.plain(
          "posix_spawnattr_setflags", FunctionDescriptor.of(INT, PTR, ValueLayout.JAVA_SHORT));
  private static final MethodHandle posix_spawnattr_setsigmask$mh =
      Native.plain("posix_spawnattr_setsigmask", FunctionDescriptor.of(INT, PTR, PTR));
  private static final MethodHandle posix_spawnattr_setsigdefault$mh =
      Native.plain("posix_spawnattr_setsigdefault", FunctionDescriptor.of(INT, PTR, PTR));
  private static final MethodHandle posix_spawn_file_actions_init$mh =
      Native.plain("posix_spawn_file_actions_init", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle posix_spawn_file_actions_destroy$mh =
      Native.plain("posix_spawn_file_actions_destroy", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle posix_spawn_file_actions_adddup2$mh =
      Native.plain("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(INT, PTR, INT, INT));
  private static final MethodHandle posix_spawn_file_actions_addopen$mh =
      Native.plain(
          "posix_spawn_file_actions_addopen", FunctionDescriptor.of(INT, PTR, INT, PTR, INT, INT));
  private static final MethodHandle posix_spawn_file_actions_addclose$mh =
      Native.plain("posix_spawn_file_actions_addclose", FunctionDescriptor.of(INT, PTR, INT));
  private static final MethodHandle posix_spawn_file_actions_addchdir_np$mh =
      Native.plain("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(INT, PTR, PTR));
  private static final MethodHandle posix_spawn_file_actions_addclosefrom_np$mh =
      Native.plain("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(INT, PTR, INT));
  private static final MethodHandle sigemptyset$mh =
      Native.plain("sigemptyset", FunctionDescriptor.of(INT, PTR));
  private static final MethodHandle sigaddset$mh =
      Native.plain("sigaddset", FunctionDescriptor.of(INT, PTR, INT));
  private static final MethodHandle pipe2$mh =
      Native.errno("pipe2", FunctionDescriptor.of(INT, PTR, INT));
  private static final MethodHandle close$mh = Native.errno("close", FunctionDescriptor.of(INT, INT));
  private static final MethodHandle read$mh =
      Native.errno("read", FunctionDescriptor.of(LONG, INT, PTR, SIZE_T));
  private static final MethodHandle write$mh =
      Native.errno("write", FunctionDescriptor.of(LONG, INT, PTR, SIZE_T));
  private static final MethodHandle open$mh =
      Native.errnoVariadic("open", FunctionDescriptor.of(INT, PTR, INT, INT), 2);
  private static final MethodHandle fcntl$mh =
      Native.errnoVariadic("fcntl", FunctionDescriptor.of(INT, INT, INT, INT), 2);
  private static final MethodHandle splice$mh =
      Native.errno("splice", FunctionDescriptor.of(LONG, INT, PTR, INT, PTR, SIZE_T, INT));
  private static final MethodHandle eventfd$mh =
      Native.errno("eventfd", FunctionDescriptor.of(INT, INT, INT));
  private static final MethodHandle epoll_create1$mh =
      Native.errno("epoll_create1", FunctionDescriptor.of(INT, INT));
  private static final MethodHandle epoll_ctl$mh =
      Native.errno("epoll_ctl", FunctionDescriptor.of(INT, INT, INT, INT, PTR));
  private static final MethodHandle epoll_wait$mh =
      Native.errno("epoll_wait", FunctionDescriptor.of(INT, INT, PTR, INT, INT));
  private static final MethodHandle waitid$mh =
      Native.errno("waitid", FunctionDescriptor.of(INT, INT, INT, PTR, INT));
  private static final MethodHandle kill$mh =
      Native.errno("kill", FunctionDescriptor.of(INT, INT, INT));
  private static final MethodHandle syscall4$mh =
      Native.errnoVariadic("syscall", FunctionDescriptor.of(LONG, LONG, INT, INT, PTR, INT), 1);
  private static final MethodHandle syscall2$mh =
      Native.errnoVariadic("syscall", FunctionDescriptor.of(LONG, LONG, INT, INT), 1);
  private static final MethodHandle mkfifo$mh =
      Native.errno("mkfifo", FunctionDescriptor.of(INT, PTR, INT));
  private static final MethodHandle gettid$mh = Native.plain("gettid", FunctionDescriptor.of(INT));
  private static final MethodHandle getpid$mh = Native.plain("getpid", FunctionDescriptor.of(INT));
  private static final MethodHandle getpgrp$mh = Native.plain("getpgrp", FunctionDescriptor.of(INT));
  private static final MethodHandle getsid$mh =
      Native.errno("getsid", FunctionDescriptor.of(INT, INT));

  /** Vets every signal target; read after the handles above exist. */
  static final dev.corral.internal.Guard GUARD =
      new dev.corral.internal.Guard(getpid(), getpgrp(), getsid(0));

  // ---- posix_spawn ----

  /**
   * posix_spawn(3). Returns the new pid; the C call returns an error number instead of setting
   * errno, and glibc reports a failed exec (ENOENT, EACCES, E2BIG, ...) the same way.
   */
  static int posixSpawn(
      MemorySegment pidOut, MemorySegment path, MemorySegment fileActions, MemorySegment attr,
      MemorySegment argv, MemorySegment envp) {
    int rc;
    try {
      rc = (int) posix_spawn$mh.invokeExact(pidOut, path, fileActions, attr, argv, envp);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (rc != 0) {
      throw Errors.fail("posix_spawn", rc);
    }
    return pidOut.get(ValueLayout.JAVA_INT, 0);
  }

  static void spawnattrInit(MemorySegment attr) {
    returnsErrorNumber("posix_spawnattr_init", call1(posix_spawnattr_init$mh, attr));
  }

  static void spawnattrDestroy(MemorySegment attr) {
    call1(posix_spawnattr_destroy$mh, attr);
  }

  static void spawnattrSetflags(MemorySegment attr, short flags) {
    int rc;
    try {
      rc = (int) posix_spawnattr_setflags$mh.invokeExact(attr, flags);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    returnsErrorNumber("posix_spawnattr_setflags", rc);
  }

  static void spawnattrSetsigmask(MemorySegment attr, MemorySegment set) {
    returnsErrorNumber("posix_spawnattr_setsigmask", call2(posix_spawnattr_setsigmask$mh, attr, set));
  }

  static void spawnattrSetsigdefault(MemorySegment attr, MemorySegment set) {
    returnsErrorNumber(
        "posix_spawnattr_setsigdefault", call2(posix_spawnattr_setsigdefault$mh, attr, set));
  }

  static void fileActionsInit(MemorySegment fa) {
    returnsErrorNumber("posix_spawn_file_actions_init", call1(posix_spawn_file_actions_init$mh, fa));
  }

  static void fileActionsDestroy(MemorySegment fa) {
    call1(posix_spawn_file_actions_destroy$mh, fa);
  }

  static void fileActionsAddDup2(MemorySegment fa, int fd, int newfd) {
    int rc;
    try {
      rc = (int) posix_spawn_file_actions_adddup2$mh.invokeExact(fa, fd, newfd);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    returnsErrorNumber("posix_spawn_file_actions_adddup2", rc);
  }

  static void fileActionsAddOpen(MemorySegment fa, int fd, MemorySegment path, int flags, int mode) {
    int rc;
    try {
      rc = (int) posix_spawn_file_actions_addopen$mh.invokeExact(fa, fd, path, flags, mode);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    returnsErrorNumber("posix_spawn_file_actions_addopen", rc);
  }

  static void fileActionsAddClose(MemorySegment fa, int fd) {
    int rc;
    try {
      rc = (int) posix_spawn_file_actions_addclose$mh.invokeExact(fa, fd);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    returnsErrorNumber("posix_spawn_file_actions_addclose", rc);
  }

  static void fileActionsAddChdir(MemorySegment fa, MemorySegment path) {
    returnsErrorNumber(
        "posix_spawn_file_actions_addchdir_np",
        call2(posix_spawn_file_actions_addchdir_np$mh, fa, path));
  }

  static void fileActionsAddClosefrom(MemorySegment fa, int from) {
    int rc;
    try {
      rc = (int) posix_spawn_file_actions_addclosefrom_np$mh.invokeExact(fa, from);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    returnsErrorNumber("posix_spawn_file_actions_addclosefrom_np", rc);
  }

  static void sigemptyset(MemorySegment set) {
    call1(sigemptyset$mh, set);
  }

  static void sigaddset(MemorySegment set, int sig) {
    try {
      int ignored = (int) sigaddset$mh.invokeExact(set, sig);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  // ---- descriptors ----

  /** pipe2(2): fills {@code fds} with the read end then the write end. */
  static void pipe2(MemorySegment fds, int flags) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) pipe2$mh.invokeExact(slot, fds, flags);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check("pipe2", rc, slot);
  }

  /** close(2). EINTR still closes the descriptor on Linux, so it is not retried. */
  static void close(int fd) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) close$mh.invokeExact(slot, fd);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (rc < 0 && Native.lastErrno(slot) != Errors.EINTR) {
      throw Errors.fail("close", Native.lastErrno(slot));
    }
  }

  /** read(2): bytes read, 0 at end of file, or a negated errno (-EAGAIN when empty). */
  static long read(int fd, MemorySegment buf, long count) {
    return transfer(read$mh, fd, buf, count);
  }

  /** write(2): bytes written or a negated errno (-EAGAIN when full, -EPIPE when the reader left). */
  static long write(int fd, MemorySegment buf, long count) {
    return transfer(write$mh, fd, buf, count);
  }

  /** read(2) and write(2) share a signature and a return convention. */
  private static long transfer(MethodHandle mh, int fd, MemorySegment buf, long count) {
    MemorySegment slot = Native.errnoSlot();
    long n;
    try {
      n = (long) mh.invokeExact(slot, fd, buf, count);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return n >= 0 ? n : -Native.lastErrno(slot);
  }

  static final int SPLICE_F_MOVE = 1;
  static final int SPLICE_F_NONBLOCK = 2;

  /** splice(2) between two descriptors without offsets: bytes moved, 0 at end, or a negated errno. */
  static long splice(int in, int out, long count, int flags) {
    MemorySegment slot = Native.errnoSlot();
    long n;
    try {
      n = (long) splice$mh.invokeExact(slot, in, MemorySegment.NULL, out, MemorySegment.NULL, count, flags);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return n >= 0 ? n : -Native.lastErrno(slot);
  }

  /** open(2): the new descriptor, or a negated errno so callers can tell ENOENT from EACCES. */
  static int open(MemorySegment path, int flags, int mode) {
    MemorySegment slot = Native.errnoSlot();
    int fd;
    try {
      fd = (int) open$mh.invokeExact(slot, path, flags, mode);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return fd >= 0 ? fd : -Native.lastErrno(slot);
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
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) fcntl$mh.invokeExact(slot, fd, cmd, arg);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return rc >= 0 ? rc : -Native.lastErrno(slot);
  }

  static int eventfd(int initval, int flags) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) eventfd$mh.invokeExact(slot, initval, flags);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return check("eventfd", rc, slot);
  }

  // ---- epoll ----

  static int epollCreate1(int flags) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) epoll_create1$mh.invokeExact(slot, flags);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return check("epoll_create1", rc, slot);
  }

  static void epollCtl(int epfd, int op, int fd, MemorySegment event) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) epoll_ctl$mh.invokeExact(slot, epfd, op, fd, event);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check("epoll_ctl", rc, slot);
  }

  /** epoll_wait(2): the number of ready events, or 0 when interrupted by a signal. */
  static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) epoll_wait$mh.invokeExact(slot, epfd, events, max, timeoutMillis);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (rc < 0 && Native.lastErrno(slot) == Errors.EINTR) {
      return 0;
    }
    return check("epoll_wait", rc, slot);
  }

  // ---- processes ----

  /** pidfd_open(2) through syscall(2), so glibc older than 2.36 works too. */
  static int pidfdOpen(int pid) {
    MemorySegment slot = Native.errnoSlot();
    long rc;
    try {
      rc = (long) syscall2$mh.invokeExact(slot, SYS_PIDFD_OPEN, pid, 0);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return rc >= 0 ? (int) rc : -Native.lastErrno(slot);
  }

  /**
   * pidfd_send_signal(2): 0, or a negated errno (-ESRCH once the process has exited). A pidfd
   * names one process for its whole life, so this cannot hit a recycled pid; {@code pid} is the
   * pid the pidfd was opened for, vetted by {@link #GUARD}.
   */
  static int pidfdSendSignal(int pidfd, int pid, int sig) {
    GUARD.check(pid);
    MemorySegment slot = Native.errnoSlot();
    long rc;
    try {
      rc = (long) syscall4$mh.invokeExact(slot, SYS_PIDFD_SEND_SIGNAL, pidfd, sig, MemorySegment.NULL, 0);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return rc == 0 ? 0 : -Native.lastErrno(slot);
  }

  /**
   * waitid(2) on a pidfd. Returns 0 when {@code info} was filled, or -ECHILD. With WNOHANG and
   * nothing to report, it returns 0 and leaves si_pid at 0.
   */
  static int waitidPidfd(int pidfd, MemorySegment info, int options) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    while (true) {
      try {
        rc = (int) waitid$mh.invokeExact(slot, P_PIDFD, pidfd, info, options);
      } catch (Throwable t) {
        throw unexpected(t);
      }
      if (rc == 0) {
        return 0;
      }
      int errno = Native.lastErrno(slot);
      if (errno == Errors.EINTR) {
        continue;
      }
      if (errno == Errors.ECHILD) {
        return -errno;
      }
      throw Errors.fail("waitid", errno);
    }
  }

  /** Blocks until the child {@code pid} has exited and reaps it: only for a child no pidfd watches. */
  static void reap(int pid) {
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      MemorySegment info = arena.allocate(Layouts.SIGINFO);
      MemorySegment slot = Native.errnoSlot();
      while (true) {
        int rc = (int) waitid$mh.invokeExact(slot, P_PID, pid, info, WEXITED);
        if (rc == 0 || Native.lastErrno(slot) != Errors.EINTR) {
          return;
        }
      }
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /**
   * kill(2), after {@link #GUARD} has vetted the target. Returns 0 or a negated errno. Callers
   * must prove the target belongs to the run (an unreaped leader's group, or a frozen cgroup).
   */
  static int kill(int pid, int sig) {
    GUARD.check(pid);
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) kill$mh.invokeExact(slot, pid, sig);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return rc == 0 ? 0 : -Native.lastErrno(slot);
  }

  /** mkfifo(3): 0 or a negated errno. */
  static int mkfifo(MemorySegment path, int mode) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) mkfifo$mh.invokeExact(slot, path, mode);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return rc == 0 ? 0 : -Native.lastErrno(slot);
  }

  /** gettid(2): the calling thread's kernel id (glibc 2.30). */
  static int gettid() {
    try {
      return (int) gettid$mh.invokeExact();
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  static int getpid() {
    try {
      return (int) getpid$mh.invokeExact();
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  static int getpgrp() {
    try {
      return (int) getpgrp$mh.invokeExact();
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  static int getsid(int pid) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) getsid$mh.invokeExact(slot, pid);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return check("getsid", rc, slot);
  }

  // ---- this process's own signal state: bound on first use, the CLI needs it once ----

  static final int SIG_BLOCK = 0;
  static final int SIG_UNBLOCK = 1;
  static final int PR_SET_DUMPABLE = 4;
  static final long SIG_DFL = 0;
  static final long SIG_IGN = 1;

  private static final class Own {
    static final MethodHandle sigaction$mh =
        Native.errno("sigaction", FunctionDescriptor.of(INT, INT, PTR, PTR));
    static final MethodHandle pthread_sigmask$mh =
        Native.plain("pthread_sigmask", FunctionDescriptor.of(INT, INT, PTR, PTR));
    static final MethodHandle raise$mh = Native.plain("raise", FunctionDescriptor.of(INT, INT));
    static final MethodHandle prctl$mh =
        Native.errnoVariadic("prctl", FunctionDescriptor.of(INT, INT, LONG), 1);
  }

  /**
   * sigaction(2) with {@code act} and {@code old} (either may be NULL). Throws on EINVAL, which
   * names a signal that cannot be caught or ignored.
   */
  static void sigaction(int sig, MemorySegment act, MemorySegment old) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) Own.sigaction$mh.invokeExact(slot, sig, act, old);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check("sigaction", rc, slot);
  }

  /** pthread_sigmask(3) for the calling thread; the C call returns an error number. */
  static void pthreadSigmask(int how, MemorySegment set, MemorySegment old) {
    int rc;
    try {
      rc = (int) Own.pthread_sigmask$mh.invokeExact(how, set, old);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    returnsErrorNumber("pthread_sigmask", rc);
  }

  /**
   * raise(3): the calling thread signals itself. The one way Corral signals its own process, and
   * only to end it as its child ended ({@code Platform.dieBy}); never through {@link #kill}.
   */
  static void raise(int sig) {
    try {
      int ignored = (int) Own.raise$mh.invokeExact(sig);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** prctl(2) with one argument: 0 or a negated errno. */
  static int prctl(int option, long arg) {
    MemorySegment slot = Native.errnoSlot();
    int rc;
    try {
      rc = (int) Own.prctl$mh.invokeExact(slot, option, arg);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    return rc == 0 ? 0 : -Native.lastErrno(slot);
  }

  // ---- helpers ----

  private static int check(String call, int rc, MemorySegment slot) {
    if (rc < 0) {
      throw Errors.fail(call, Native.lastErrno(slot));
    }
    return rc;
  }

  private static void returnsErrorNumber(String call, int rc) {
    if (rc != 0) {
      throw Errors.fail(call, rc);
    }
  }

  private static int call1(MethodHandle mh, MemorySegment a) {
    try {
      return (int) mh.invokeExact(a);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  private static int call2(MethodHandle mh, MemorySegment a, MemorySegment b) {
    try {
      return (int) mh.invokeExact(a, b);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  private static RuntimeException unexpected(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("native call failed", t);
  }
}
