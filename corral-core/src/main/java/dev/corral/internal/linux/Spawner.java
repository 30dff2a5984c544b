package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.CorralException;
import dev.corral.CorralException.Reason;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.internal.Signals;
import dev.corral.internal.posix.Errno;
import dev.corral.internal.Executables;
import dev.corral.internal.NativeException;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts a child with posix_spawn: a new session, an empty signal mask, default dispositions
 * except the signals asked to stay ignored, only fds 0 to 2 open, and the given directory and
 * environment. Nothing is left open or running when it throws.
 */
final class Spawner {
  private Spawner() {}

  private static final Path JVM_DIRECTORY = Path.of("").toAbsolutePath();

  /** The parent's ends: -1 where the stream needs no pipe. */
  record Spawned(int pid, int pidfd, int stdin, int stdout, int stderr) {}

  /** Holds the child between its setsid and its exec until it is placed in its cgroup. */
  interface Gate {
    /** Adds the file actions that block the child. */
    void addTo(MemorySegment fileActions);

    /** Called on the spawning thread early, so the gate is ready when the child arrives. */
    void arm();

    /** Called on the spawning thread right before posix_spawn, which blocks until the gate opens. */
    void beforeSpawn();

    /**
     * Called after posix_spawn returned, with whether it succeeded: why placement failed, or null.
     */
    String disarm(boolean spawned);
  }

  /**
   * Spawns with the streams in {@code stdio}, whose child ends it then closes (its parent ends
   * too if the spawn fails). {@code marker}, when not null, becomes the child's {@code
   * CORRAL_RUN} in place of any inherited one.
   */
  static Spawned spawn(Command command, Map<String, String> environment, String marker, Gate gate,
      Stdio stdio) {
    Path directory;
    Path program;
    try {
      directory = command.directory().map(d -> JVM_DIRECTORY.resolve(d)).orElse(JVM_DIRECTORY);
      if (command.directory().isPresent() && !Files.isDirectory(directory)) {
        throw new CorralException(Reason.BAD_DIRECTORY, command.toString(),
            "working directory " + directory + (Files.exists(directory) ? " is not a directory" : " does not exist"), 0, null);
      }
      // A path with a slash goes to the kernel unchecked: it says why when exec fails.
      program = Executables.locate(command.argv().get(0), environment.get("PATH"), directory,
          command::toString);
    } catch (RuntimeException e) {
      stdio.close();
      stdio.closeParentEnds();
      throw e;
    }

    boolean armed = false;
    try (Arena arena = Arena.ofConfined()) {
      // Armed early, so that the gate thread has woken up and waits at the gate by the time the
      // child arrives there: its wake-up is off the critical path.
      if (gate != null) {
        gate.arm();
        armed = true;
      }
      int[] in = stdio.in;
      int[] out = stdio.out;
      int[] err = stdio.err;

      MemorySegment fa = arena.allocate(PosixLibC.LAYOUT.FILE_ACTIONS);
      // In the foreground, a cgroup holds the tree; without one the leader's own group must.
      short session = !command.foreground() ? PosixLibC.POSIX_SPAWN_SETSID
          : gate == null ? PosixLibC.POSIX_SPAWN_SETPGROUP : 0;
      MemorySegment attr = attributes(arena, session, Signals.here(command.keepIgnored()));
      PosixLibC.fileActionsInit(fa);
      try {
        if (in != null) {
          PosixLibC.fileActionsAddDup2(fa, in[0], 0);
        }
        if (out != null) {
          PosixLibC.fileActionsAddDup2(fa, out[0], 1);
        }
        if (err != null) {
          PosixLibC.fileActionsAddDup2(fa, err[0], 2);
        } else if (command.stderr() instanceof Output.ToStdout) {
          PosixLibC.fileActionsAddDup2(fa, 1, 2);
        }
        if (command.directory().isPresent()) {
          PosixLibC.fileActionsAddChdir(fa, arena.allocateFrom(directory.toString()));
        }
        // Everything but 0, 1 and 2: the JVM's own descriptors, even those without O_CLOEXEC.
        LibC.fileActionsAddClosefrom(fa, 3);
        if (gate != null) {
          gate.addTo(fa);
        }

        MemorySegment argv = cStrings(arena, command.argv());
        MemorySegment envp = Environments.envp(arena, environment, marker);
        MemorySegment pidOut = arena.allocate(ValueLayout.JAVA_INT);
        MemorySegment path = arena.allocateFrom(program.toString());

        int pid = -1;
        String placement = null;
        try {
          if (gate != null) {
            gate.beforeSpawn();
          }
          pid = PosixLibC.posixSpawn(pidOut, path, fa, attr, argv, envp);
        } catch (NativeException e) {
          throw spawnFailure(e, command, environment, directory, program);
        } finally {
          if (gate != null) {
            armed = false;
            placement = gate.disarm(pid > 0);
          }
        }
        if (placement != null) {
          // Our own unreaped child: its pid cannot have been reused, so a bare kill is safe here.
          PosixLibC.kill(pid, LibC.SIGKILL);
          PosixLibC.reap(pid);
          throw new CorralException(Reason.CONTAINMENT_UNAVAILABLE, command.toString(),
              "cannot place the child in its cgroup: " + placement, 0, null);
        }
        int pidfd = LibC.pidfdOpen(pid);
        if (pidfd < 0) {
          // Our own unreaped child: its pid cannot have been reused, so a bare kill is safe here.
          PosixLibC.kill(pid, LibC.SIGKILL);
          PosixLibC.reap(pid);
          throw new CorralException(Reason.SYSTEM, command.toString(), "pidfd_open(..) failed: "
              + Errors.describe(-pidfd) + " (Corral needs Linux 5.3 or later)", -pidfd, null);
        }
        return new Spawned(pid, pidfd, in == null ? -1 : in[1], out == null ? -1 : out[1],
            err == null ? -1 : err[1]);
      } finally {
        PosixLibC.fileActionsDestroy(fa);
      }
    } catch (RuntimeException e) {
      if (armed) {
        gate.disarm(false);
      }
      stdio.closeParentEnds();
      throw e;
    } finally {
      stdio.close();
    }
  }

  /** Spawn attributes by session flag and signals kept ignored: a handful of distinct ones. */
  private static final java.util.concurrent.ConcurrentHashMap<java.util.List<Object>, MemorySegment>
      ATTRIBUTES = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_ATTRIBUTES = 64;

  /**
   * The attributes for a spawn, made once per combination and kept: posix_spawn only reads them,
   * and glibc's posix_spawnattr_t owns no memory, so one serves every thread. Past {@link
   * #MAX_ATTRIBUTES} combinations (a caller inventing signal sets), they live in {@code arena}.
   */
  private static MemorySegment attributes(Arena arena, short session, Set<Integer> keepIgnored) {
    java.util.List<Object> key = java.util.List.of(session, keepIgnored);
    MemorySegment kept = ATTRIBUTES.get(key);
    if (kept != null) {
      return kept;
    }
    if (ATTRIBUTES.size() >= MAX_ATTRIBUTES) {
      return makeAttributes(arena, session, keepIgnored);
    }
    return ATTRIBUTES.computeIfAbsent(key, k -> makeAttributes(Arena.global(), session, keepIgnored));
  }

  private static MemorySegment makeAttributes(Arena arena, short session, Set<Integer> keepIgnored) {
    MemorySegment attr = arena.allocate(PosixLibC.LAYOUT.SPAWNATTR);
    PosixLibC.spawnattrInit(attr);
    PosixLibC.spawnattrSetflags(attr, (short) (session
        | PosixLibC.POSIX_SPAWN_SETSIGMASK | PosixLibC.POSIX_SPAWN_SETSIGDEF));
    MemorySegment set = arena.allocate(PosixLibC.LAYOUT.SIGSET); // zeroed: the empty mask
    PosixLibC.spawnattrSetsigmask(attr, set);
    // Every signal back to its default but those kept ignored. This includes glibc's internal
    // 32 and 33, which glibc otherwise leaves ignored in the child.
    PosixLibC.LAYOUT.setSigset(set, PosixLibC.LAYOUT.sigsetWord(sig -> !keepIgnored.contains(sig)));
    PosixLibC.spawnattrSetsigdefault(attr, set);
    return attr;
  }

  private static CorralException spawnFailure(NativeException e, Command command,
      Map<String, String> environment, Path directory, Path program) {
    Errno errno = Errors.ERRNO;
    if (e.errno() == errno.ENOENT || e.errno() == errno.EACCES || e.errno() == errno.ENOTDIR) {
      // Not looked at before the spawn: say what is wrong with the file, as a search would have.
      Executables.resolve(command.argv().get(0), environment.get("PATH"), directory, command.toString());
    }
    Reason reason = Errors.ERRNO.spawnFailure(e.errno());
    return new CorralException(reason, command.toString(), "cannot run " + program + ": " + e.getMessage(), e.errno(), e);
  }

  /** A NULL-terminated char*[] whose strings share one block: one allocation, not one per string. */
  private static MemorySegment cStrings(Arena arena, List<String> strings) {
    return Environments.strings(arena, strings, 1); // the spare slot is the NULL terminator
  }
}
