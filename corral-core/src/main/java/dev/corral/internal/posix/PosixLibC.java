package dev.corral.internal.posix;

import dev.corral.internal.Guard;
import dev.corral.internal.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Bindings to what every POSIX C library has and Corral uses, one handle per C function, named
 * after it; the numbers and struct shapes come from this OS's {@link PosixLayout}. Wrappers throw
 * {@link NativeException} through {@link Errors}; calls whose failure is an expected outcome (a
 * read that would block, a signal to a process that just died) return the negated errno instead.
 * Each OS's own calls live in its backend (Linux: {@code linux.LibC}).
 *
 * <p>Signals to other processes go through {@link #kill} and Linux's pidfd_send_signal only, and
 * {@link #GUARD} vets every target of both first.
 */
public final class PosixLibC {
  private PosixLibC() {}

  /** This OS's constants and struct shapes. */
  public static final PosixLayout LAYOUT = PosixLayout.current();

  public static final int O_DIRECTORY = LAYOUT.O_DIRECTORY;
  public static final int O_RDONLY = LAYOUT.O_RDONLY;
  public static final int O_WRONLY = LAYOUT.O_WRONLY;
  public static final int O_RDWR = LAYOUT.O_RDWR;
  public static final int O_CREAT = LAYOUT.O_CREAT;
  public static final int O_TRUNC = LAYOUT.O_TRUNC;
  public static final int O_APPEND = LAYOUT.O_APPEND;
  public static final int O_NONBLOCK = LAYOUT.O_NONBLOCK;
  public static final int O_CLOEXEC = LAYOUT.O_CLOEXEC;

  public static final short POSIX_SPAWN_SETPGROUP = LAYOUT.POSIX_SPAWN_SETPGROUP;
  public static final short POSIX_SPAWN_SETSIGDEF = LAYOUT.POSIX_SPAWN_SETSIGDEF;
  public static final short POSIX_SPAWN_SETSIGMASK = LAYOUT.POSIX_SPAWN_SETSIGMASK;
  public static final short POSIX_SPAWN_SETSID = LAYOUT.POSIX_SPAWN_SETSID;

  public static final int SIG_BLOCK = LAYOUT.SIG_BLOCK;
  public static final int SIG_UNBLOCK = LAYOUT.SIG_UNBLOCK;
  public static final int WEXITED = LAYOUT.WEXITED;
  public static final int POLLIN = LAYOUT.POLLIN;
  /** The handler values SIG_DFL and SIG_IGN: 0 and 1 in glibc and on Darwin alike. */
  public static final long SIG_DFL = 0;
  public static final long SIG_IGN = 1;

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
  /** glibc 2.29, macOS 10.15. */
  private static final MethodHandle posix_spawn_file_actions_addchdir_np$mh =
      Native.bind("posix_spawn_file_actions_addchdir_np");
  private static final MethodHandle close$mh = Native.bind("close");
  private static final MethodHandle read$mh = Native.bind("read");
  private static final MethodHandle pread$mh = Native.bind("pread");
  private static final MethodHandle poll$mh = Native.bind("poll");
  private static final MethodHandle write$mh = Native.bind("write");
  private static final MethodHandle waitid$mh = Native.bind("waitid");
  private static final MethodHandle kill$mh = Native.bind("kill");
  private static final MethodHandle mkfifo$mh = Native.bind("mkfifo");
  private static final MethodHandle getpid$mh = Native.bind("getpid");
  private static final MethodHandle getpgrp$mh = Native.bind("getpgrp");
  private static final MethodHandle getsid$mh = Native.bind("getsid");

  /** Vets every signal target; read after the handles above exist. */
  public static final Guard GUARD = new Guard(getpid(), getpgrp(), getsid(0));

  private static long a(MemorySegment s) {
    return s.address();
  }

  // ---- posix_spawn ----

  /**
   * posix_spawn(3). Returns the new pid; the C call returns an error number instead of setting
   * errno, and glibc reports a failed exec (ENOENT, EACCES, E2BIG, ...) the same way.
   */
  public static int posixSpawn(
      MemorySegment pidOut, MemorySegment path, MemorySegment fileActions, MemorySegment attr,
      MemorySegment argv, MemorySegment envp) {
    int rc = (int) Native.call(posix_spawn$mh, a(pidOut), a(path), a(fileActions), a(attr), a(argv), a(envp));
    if (rc != 0) {
      throw Errors.fail("posix_spawn", rc);
    }
    return pidOut.get(ValueLayout.JAVA_INT, 0);
  }

  public static void spawnattrInit(MemorySegment attr) {
    Errors.checkErrorNumber("posix_spawnattr_init", Native.call(posix_spawnattr_init$mh, a(attr)));
  }

  public static void spawnattrDestroy(MemorySegment attr) {
    Native.call(posix_spawnattr_destroy$mh, a(attr));
  }

  public static void spawnattrSetflags(MemorySegment attr, short flags) {
    Errors.checkErrorNumber("posix_spawnattr_setflags",
        Native.call(posix_spawnattr_setflags$mh, a(attr), flags & 0xffff));
  }

  public static void spawnattrSetsigmask(MemorySegment attr, MemorySegment set) {
    Errors.checkErrorNumber("posix_spawnattr_setsigmask",
        Native.call(posix_spawnattr_setsigmask$mh, a(attr), a(set)));
  }

  public static void spawnattrSetsigdefault(MemorySegment attr, MemorySegment set) {
    Errors.checkErrorNumber("posix_spawnattr_setsigdefault",
        Native.call(posix_spawnattr_setsigdefault$mh, a(attr), a(set)));
  }

  public static void fileActionsInit(MemorySegment fa) {
    Errors.checkErrorNumber("posix_spawn_file_actions_init",
        Native.call(posix_spawn_file_actions_init$mh, a(fa)));
  }

  public static void fileActionsDestroy(MemorySegment fa) {
    Native.call(posix_spawn_file_actions_destroy$mh, a(fa));
  }

  public static void fileActionsAddDup2(MemorySegment fa, int fd, int newfd) {
    Errors.checkErrorNumber("posix_spawn_file_actions_adddup2",
        Native.call(posix_spawn_file_actions_adddup2$mh, a(fa), fd, newfd));
  }

  public static void fileActionsAddOpen(MemorySegment fa, int fd, MemorySegment path, int flags,
      int mode) {
    Errors.checkErrorNumber("posix_spawn_file_actions_addopen",
        Native.call(posix_spawn_file_actions_addopen$mh, a(fa), fd, a(path), flags, mode));
  }

  public static void fileActionsAddClose(MemorySegment fa, int fd) {
    Errors.checkErrorNumber("posix_spawn_file_actions_addclose",
        Native.call(posix_spawn_file_actions_addclose$mh, a(fa), fd));
  }

  public static void fileActionsAddChdir(MemorySegment fa, MemorySegment path) {
    Errors.checkErrorNumber("posix_spawn_file_actions_addchdir_np",
        Native.call(posix_spawn_file_actions_addchdir_np$mh, a(fa), a(path)));
  }

  // ---- descriptors ----

  /** close(2). EINTR still closes the descriptor on Linux, so it is not retried. */
  public static void close(int fd) {
    if ((int) Native.call(close$mh, fd) < 0 && Native.lastErrno() != Errors.ERRNO.EINTR) {
      throw Errors.fail("close", Native.lastErrno());
    }
  }

  /** read(2): bytes read, 0 at end of file, or a negated errno (-EAGAIN when empty). */
  public static long read(int fd, MemorySegment buf, long count) {
    return Native.orErrno(Native.call(read$mh, fd, a(buf), count));
  }

  /** pread(2): bytes read from {@code offset}, 0 at end of file, or a negated errno. */
  public static long pread(int fd, MemorySegment buf, long count, long offset) {
    return Native.orErrno(Native.call(pread$mh, fd, a(buf), count, offset));
  }

  /** poll(2) on {@code n} pollfd structs: how many are ready, 0 on timeout, or a negated errno. */
  public static int poll(MemorySegment fds, int n, int timeoutMillis) {
    return (int) Native.orErrno(Native.call(poll$mh, a(fds), n, timeoutMillis));
  }

  /** write(2): bytes written or a negated errno (-EAGAIN when full, -EPIPE when the reader left). */
  public static long write(int fd, MemorySegment buf, long count) {
    return Native.orErrno(Native.call(write$mh, fd, a(buf), count));
  }

  /** mkfifo(3): 0 or a negated errno. */
  public static int mkfifo(MemorySegment path, int mode) {
    return (int) Native.orErrno((int) Native.call(mkfifo$mh, a(path), mode));
  }

  // ---- processes ----

  /**
   * kill(2), after {@link #GUARD} has vetted the target. Returns 0 or a negated errno. Callers
   * must prove the target belongs to the run (an unreaped leader's group, or a frozen cgroup).
   */
  public static int kill(int pid, int sig) {
    GUARD.check(pid);
    return (int) Native.orErrno((int) Native.call(kill$mh, pid, sig));
  }

  /**
   * waitid(2) once, for {@code idtype} and {@code id} as this OS numbers them: 0 when it returned
   * (with WNOHANG and nothing to report, si_pid stays 0), or a negated errno, -EINTR included.
   */
  public static int waitid(int idtype, int id, MemorySegment info, int options) {
    return (int) Native.orErrno((int) Native.call(waitid$mh, idtype, id, a(info), options));
  }

  /** Blocks until the child {@code pid} has exited and reaps it: only for a child nobody watches. */
  public static void reap(int pid) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(LAYOUT.SIGINFO);
      while (waitid(LAYOUT.P_PID, pid, info, WEXITED) == -Errors.ERRNO.EINTR) {
        // retry
      }
    }
  }

  public static int getpid() {
    return (int) Native.call(getpid$mh);
  }

  public static int getpgrp() {
    return (int) Native.call(getpgrp$mh);
  }

  public static int getsid(int pid) {
    return Errors.check("getsid", Native.call(getsid$mh, pid));
  }

  // ---- this process's own signal state: sigaction is bound in every JVM (SIGCHLD is checked at
  // start), the other two only in a JVM that mirrors a child's death ----

  private static final class Own {
    static final MethodHandle sigaction$mh = Native.bind("sigaction");
    static final MethodHandle pthread_sigmask$mh = Native.bind("pthread_sigmask");
    static final MethodHandle raise$mh = Native.bind("raise");
  }

  /**
   * sigaction(2) with {@code act} and {@code old} (either may be NULL). Throws on EINVAL, which
   * names a signal that cannot be caught or ignored.
   */
  public static void sigaction(int sig, MemorySegment act, MemorySegment old) {
    Errors.check("sigaction", Native.call(Own.sigaction$mh, sig, a(act), a(old)));
  }

  /** pthread_sigmask(3) for the calling thread; the C call returns an error number. */
  public static void pthreadSigmask(int how, MemorySegment set, MemorySegment old) {
    Errors.checkErrorNumber("pthread_sigmask",
        Native.call(Own.pthread_sigmask$mh, how, a(set), a(old)));
  }

  /**
   * raise(3): the calling thread signals itself. The one way Corral signals its own process, and
   * only to end it as its child ended ({@code Platform.dieBy}); never through {@link #kill}.
   */
  public static void raise(int sig) {
    Native.call(Own.raise$mh, sig);
  }
}
