package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.Native;
import dev.corral.internal.posix.PosixLibC;
import dev.corral.internal.posix.PosixSpawn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Spawning straight into the run's cgroup, where glibc has it (2.39 and later):
 * posix_spawnattr_setcgroup_np makes pidfd_spawn use clone3 with CLONE_INTO_CGROUP, so the child
 * is in its cgroup from its first instruction, no gate holds it and no thread watches for it, and
 * the pidfd comes from the spawn itself: there is no moment at which the child is known only by
 * its pid. The symbols are looked up once; where one is missing the gate path runs as before. The
 * system property {@code corral.placement=gate} forces the gate (to test both paths on one host).
 */
final class KernelPlacement {
  private KernelPlacement() {}

  /** glibc 2.39's spawn.h, after POSIX_SPAWN_SETSID (0x80). */
  static final short POSIX_SPAWN_SETCGROUP = 0x100;

  private static final Optional<MethodHandle> SETCGROUP = Native.bindOptional("posix_spawnattr_setcgroup_np");
  private static final Optional<MethodHandle> PIDFD_SPAWN = Native.bindOptional("pidfd_spawn");
  private static final Optional<MethodHandle> PIDFD_GETPID = Native.bindOptional("pidfd_getpid");

  /** Whether this glibc places children in their cgroup, and Corral is not told to use the gate. */
  static final boolean AVAILABLE = SETCGROUP.isPresent() && PIDFD_SPAWN.isPresent()
      && PIDFD_GETPID.isPresent() && !"gate".equals(System.getProperty("corral.placement"));

  /** In words, for Capability and doctor. */
  static String detail() {
    if (AVAILABLE) {
      return "glibc's pidfd_spawn and posix_spawnattr_setcgroup_np place each child in its cgroup"
          + " at clone (CLONE_INTO_CGROUP), and give its pidfd; no gate, no gate thread";
    }
    if (SETCGROUP.isPresent() && PIDFD_SPAWN.isPresent() && PIDFD_GETPID.isPresent()) {
      return "available, but corral.placement=gate asks for the gate";
    }
    return "this glibc lacks pidfd_spawn and posix_spawnattr_setcgroup_np (glibc 2.39 and later"
        + " have them): each child waits at a gate between its setsid and its exec until Corral"
        + " has moved it into its cgroup";
  }

  /** Whether the kernel answers PIDFD_GET_INFO; false after its first refusal. */
  private static volatile boolean getInfo = true;

  /**
   * The child's pid: by PIDFD_GET_INFO where the kernel has it (Linux 6.13: one ioctl), else by
   * glibc's pidfd_getpid, which reads /proc/self/fdinfo (about 10 µs more here). Positive, or a
   * negated errno.
   */
  private static int pidOf(int pidfd, Arena arena) {
    if (getInfo) {
      int pid = LibC.pidfdPid(pidfd, arena.allocate(64, 8));
      if (pid > 0) {
        return pid;
      }
      if (pid == -Errors.ERRNO.ENOTTY || pid == -Errors.ERRNO.EINVAL) {
        getInfo = false;
      } // else not visible here, or gone: glibc's call below says which, in its own errno
    }
    int pid = (int) Native.call(PIDFD_GETPID.orElseThrow(), pidfd);
    return pid > 0 ? pid : -Native.lastErrno();
  }

  /** The spawn of one child into the cgroup open as {@code cgroupFd}. */
  static PosixSpawn.Os<Spawner.Spawned> into(int cgroupFd) {
    return new LinuxSpawnOs<>() {
      private int pidfd = -1;

      /** glibc 2.38+ spawns with CLONE_CLEAR_SIGHAND: only what is ignored needs a reset. */
      @Override
      public long signalsToReset(Arena arena) {
        return IgnoredSignals.now(arena) | IgnoredSignals.GLIBC_INTERNAL;
      }

      /** The shared attributes, copied, plus the cgroup: no syscall, a few hundred bytes. */
      @Override
      public int spawn(MemorySegment pidOut, MemorySegment path, MemorySegment fileActions,
          MemorySegment attr, short flags, MemorySegment argv, MemorySegment envp) {
        try (Arena arena = Arena.ofConfined()) {
          MemorySegment mine = arena.allocate(attr.byteSize(), 8).copyFrom(attr);
          PosixLibC.spawnattrSetflags(mine, (short) (flags | POSIX_SPAWN_SETCGROUP));
          Errors.checkErrorNumber("posix_spawnattr_setcgroup_np",
              Native.call(SETCGROUP.orElseThrow(), mine.address(), cgroupFd));
          MemorySegment pidfdOut = arena.allocate(ValueLayout.JAVA_INT);
          int rc = (int) Native.call(PIDFD_SPAWN.orElseThrow(), pidfdOut.address(), path.address(),
              fileActions.address(), mine.address(), argv.address(), envp.address());
          if (rc != 0) {
            throw Errors.fail("pidfd_spawn", rc);
          }
          pidfd = pidfdOut.get(ValueLayout.JAVA_INT, 0);
          int pid = pidOf(pidfd, arena);
          if (pid <= 0) {
            PosixLibC.close(pidfd);
            throw Errors.fail("pidfd_getpid", -pid);
          }
          return pid;
        }
      }

      @Override
      public Spawner.Spawned started(int pid, PosixSpawn.Streams streams, Command command) {
        return new Spawner.Spawned(pid, pidfd, streams.parentEnd(0), streams.parentEnd(1),
            streams.parentEnd(2));
      }
    };
  }
}
