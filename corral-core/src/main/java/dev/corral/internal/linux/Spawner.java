package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.CorralException.Reason;
import dev.corral.CorralException;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.PosixSpawn;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Linux's spawn: {@link PosixSpawn} with glibc's closefrom file action, then a pidfd on the
 * child, opened while it is still unreaped, so that it names this child for good.
 */
final class Spawner {
  private Spawner() {}

  /** The parent's ends: -1 where the stream needs no pipe. */
  record Spawned(int pid, int pidfd, int stdin, int stdout, int stderr) {}

  private static final PosixSpawn.Os<Spawned> LINUX = new LinuxSpawnOs<>() {
    @Override
    public Spawned started(int pid, PosixSpawn.Streams streams, Command command) {
      int pidfd = LibC.pidfdOpen(pid);
      if (pidfd < 0) {
        throw new CorralException(Reason.SYSTEM, command.toString(), "pidfd_open(..) failed: "
            + Errors.describe(-pidfd) + " (Corral needs Linux 5.3 or later)", -pidfd, null);
      }
      return new Spawned(pid, pidfd, streams.parentEnd(0), streams.parentEnd(1),
          streams.parentEnd(2));
    }
  };

  /**
   * Spawns with the streams in {@code stdio}, whose child ends it then closes (its parent ends
   * too if the spawn fails). {@code marker}, when not null, becomes the child's {@code
   * CORRAL_RUN} in place of any inherited one; {@code gate}, when not null, holds the child until
   * it is in its cgroup.
   */
  static Spawned spawn(Command command, Map<String, String> environment, String marker,
      PosixSpawn.Gate gate, Stdio stdio) {
    return PosixSpawn.spawn(command, environment, marker, gate, stdio, LINUX);
  }

  /** Spawns straight into {@code cgroup}, with glibc 2.39+ ({@link KernelPlacement}). */
  static Spawned spawnInto(Command command, Map<String, String> environment, String marker,
      RunCgroup cgroup, Stdio stdio) {
    return PosixSpawn.spawn(command, environment, marker, null, stdio,
        KernelPlacement.into(cgroup.dirFd()));
  }
}
