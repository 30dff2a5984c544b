package dev.corral.internal.posix;

import dev.corral.Command;
import dev.corral.CorralException.Reason;
import dev.corral.CorralException;
import dev.corral.Output;
import dev.corral.internal.Executables;
import dev.corral.internal.NativeException;
import dev.corral.internal.Signals;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts a child with posix_spawn: a new session, an empty signal mask (but the command's
 * {@code keepBlocked}), default dispositions
 * except the signals asked to stay ignored, only fds 0 to 2 open (and those the command passes:
 * see {@link PassedDescriptors}), and the given directory and environment. Nothing is left open or running when it throws. What differs per OS comes in:
 * the streams ({@link Streams}), a gate that holds the child until its containment has it
 * ({@link Gate}), and how to close the other descriptors and what to open on the child ({@link
 * Os}).
 */
public final class PosixSpawn {
  private PosixSpawn() {}

  /** The environment variable that marks every process of a run, for the process-group sweep. */
  public static final String MARKER = "CORRAL_RUN";

  private static final Path JVM_DIRECTORY = Path.of("").toAbsolutePath();
  private static final int SIGKILL = Signals.current().numberOf("KILL");

  /** The child's standard streams, opened by the OS's backend before the spawn. */
  public interface Streams extends AutoCloseable {
    /** The descriptor to become the child's {@code fd} (0, 1 or 2), or -1 to keep the JVM's. */
    int childEnd(int fd);

    /** The parent's end of a pipe to the child's {@code fd}, or -1 when there is none. */
    int parentEnd(int fd);

    /** Closes the child's ends: after the spawn, which gave the child its copies, or on failure. */
    @Override
    void close();

    /** Closes the parent's ends too: the run never started. */
    void closeParentEnds();
  }

  /** Holds the child between its setsid and its exec until it is placed in its containment. */
  public interface Gate {
    /** Adds the file actions that block the child, using descriptor {@code fd}, which is free. */
    void addTo(MemorySegment fileActions, int fd);

    /** Called on the spawning thread early, so the gate is ready when the child arrives. */
    void arm();

    /** Called on the spawning thread right before posix_spawn, which blocks until the gate opens. */
    void beforeSpawn();

    /**
     * Called after posix_spawn returned, with whether it succeeded: why placement failed, or null.
     */
    String disarm(boolean spawned);
  }

  /** What one OS adds to every spawn; {@code T} is what a spawn gives its caller. */
  public interface Os<T> {
    /**
     * Adds the file action that closes every descriptor from {@code lowest} on, even those
     * without O_CLOEXEC (glibc: posix_spawn_file_actions_addclosefrom_np). It must not depend on
     * the moment: the actions of the usual spawn are made once and reused.
     */
    void addCloseFrom(MemorySegment fileActions, int lowest);

    /** Whether {@code fd} is open in this process now. */
    boolean isOpen(int fd);

    /**
     * Right after the spawn, the child placed: what the caller gets, such as a pidfd with the
     * parent's ends. When it throws, the child is killed and reaped.
     */
    T started(int pid, Streams streams, Command command);

    /**
     * The signals (bit n-1 for signal n) the child must reset to their default action itself.
     * exec keeps only SIG_IGN, so those this process ignores now are enough where the spawn
     * clears every handler in the kernel; by default every one, a sigaction each in the child.
     */
    default long signalsToReset(Arena arena) {
      return -1;
    }

    /**
     * Starts the child and returns its pid; {@code attr} is shared by every thread, and was made
     * with {@code flags}. Linux with glibc 2.39+ places the child in its cgroup here.
     */
    default int spawn(MemorySegment pidOut, MemorySegment path, MemorySegment fileActions,
        MemorySegment attr, short flags, MemorySegment argv, MemorySegment envp) {
      return PosixLibC.posixSpawn(pidOut, path, fileActions, attr, argv, envp);
    }
  }

  /**
   * Spawns with {@code streams}, whose child ends it then closes (its parent ends too if the spawn
   * fails). {@code marker}, when not null, becomes the child's {@code CORRAL_RUN} in place of any
   * inherited one. {@code gate} may be null.
   */
  public static <T> T spawn(Command command, Map<String, String> environment, String marker,
      Gate gate, Streams streams, Os<T> os) {
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
      PassedDescriptors.check(command, os::isOpen);
    } catch (RuntimeException e) {
      streams.close();
      streams.closeParentEnds();
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
      int in = streams.childEnd(0);
      int out = streams.childEnd(1);
      int err = streams.childEnd(2);

      // In the foreground, the gate's containment holds the tree; without one the leader's own
      // group must.
      short session = !command.foreground() ? PosixLibC.POSIX_SPAWN_SETSID
          : gate == null ? PosixLibC.POSIX_SPAWN_SETPGROUP : 0;
      MemorySegment attr = attributes(arena, session, os.signalsToReset(arena),
          Signals.here(command.keepIgnored()), Signals.here(command.keepBlocked()));
      boolean stderrToStdout = err < 0 && command.stderr() instanceof Output.ToStdout;
      MemorySegment kept = gate == null && command.passedDescriptors().isEmpty()
          && command.directory().isEmpty() ? keptActions(in, out, err, stderrToStdout, os, command) : null;
      MemorySegment fa = kept != null ? kept : arena.allocate(PosixLibC.LAYOUT.FILE_ACTIONS);
      if (kept == null) {
        PosixLibC.fileActionsInit(fa);
      }
      try {
        if (kept == null) {
          PassedDescriptors passed = PassedDescriptors.of(command.passedDescriptors(), in, out, err);
          int free = addActions(fa, passed, in, out, err, stderrToStdout,
              command.directory().isPresent() ? arena.allocateFrom(directory.toString()) : null, os, command);
          if (gate != null) {
            gate.addTo(fa, free);
          }
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
          pid = os.spawn(pidOut, path, fa, attr, flags(session), argv, envp);
        } catch (NativeException e) {
          throw spawnFailure(e, command, environment, directory, program);
        } finally {
          if (gate != null) {
            armed = false;
            placement = gate.disarm(pid > 0);
          }
        }
        if (placement != null) {
          killAndReap(pid);
          throw new CorralException(Reason.CONTAINMENT_UNAVAILABLE, command.toString(),
              "cannot place the child in its cgroup: " + placement, 0, null);
        }
        try {
          return os.started(pid, streams, command);
        } catch (RuntimeException e) {
          killAndReap(pid);
          throw e;
        }
      } finally {
        if (kept == null) {
          PosixLibC.fileActionsDestroy(fa);
        }
      }
    } catch (RuntimeException e) {
      if (armed) {
        gate.disarm(false);
      }
      streams.closeParentEnds();
      throw e;
    } finally {
      streams.close();
    }
  }

  /**
   * The stdio dup2s, the passed descriptors and the closes, in order (see {@link
   * PassedDescriptors}); {@code directory} is null to stay in the JVM's. Returns a free number.
   */
  private static int addActions(MemorySegment fa, PassedDescriptors passed, int in, int out, int err,
      boolean stderrToStdout, MemorySegment directory, Os<?> os, Command command) {
    passed.addCopies(fa, command);
    if (in >= 0) {
      PosixLibC.fileActionsAddDup2(fa, in, 0);
    }
    if (out >= 0) {
      PosixLibC.fileActionsAddDup2(fa, out, 1);
    }
    if (err >= 0) {
      PosixLibC.fileActionsAddDup2(fa, err, 2);
    } else if (stderrToStdout) {
      PosixLibC.fileActionsAddDup2(fa, 1, 2);
    }
    if (directory != null) {
      PosixLibC.fileActionsAddChdir(fa, directory);
    }
    // Everything but 0, 1, 2 and those passed: the JVM's own descriptors, even those without
    // O_CLOEXEC.
    return passed.addPlacesAndCloses(fa, os, command);
  }

  private record ActionsKey(int in, int out, int err, boolean stderrToStdout) {}

  /**
   * File actions of the usual spawn (stdio only) by descriptor numbers, made once and kept like
   * the attributes: glibc checks each number against the descriptor limit as it is added (a
   * getrlimit each) and mallocs, and posix_spawn only reads them. Pipe ends take the lowest free
   * numbers, so a few combinations recur; past {@link #MAX_ACTIONS} of them, null (made per
   * spawn). What a number refers to is looked up in the child, so reuse is sound.
   */
  private static MemorySegment keptActions(int in, int out, int err, boolean stderrToStdout, Os<?> os,
      Command command) {
    ActionsKey key = new ActionsKey(in, out, err, stderrToStdout);
    MemorySegment kept = ACTIONS.get(key);
    if (kept != null || ACTIONS.size() >= MAX_ACTIONS) {
      return kept;
    }
    return ACTIONS.computeIfAbsent(key, k -> {
      MemorySegment fa = Arena.global().allocate(PosixLibC.LAYOUT.FILE_ACTIONS);
      PosixLibC.fileActionsInit(fa);
      try {
        addActions(fa, PassedDescriptors.of(java.util.Collections.emptySortedMap(), in, out, err), in, out, err,
            stderrToStdout, null, os, command);
      } catch (RuntimeException e) {
        PosixLibC.fileActionsDestroy(fa);
        throw e;
      }
      return fa;
    });
  }

  private static final java.util.concurrent.ConcurrentHashMap<ActionsKey, MemorySegment> ACTIONS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_ACTIONS = 64;

  /** Our own unreaped child: its pid cannot have been reused, so a bare kill is safe here. */
  private static void killAndReap(int pid) {
    PosixLibC.kill(pid, SIGKILL);
    PosixLibC.reap(pid);
  }

  /** Spawn attributes by session flag and signal sets: a handful of distinct ones. */
  private static final java.util.concurrent.ConcurrentHashMap<AttributesKey, MemorySegment>
      ATTRIBUTES = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_ATTRIBUTES = 64;

  /**
   * The attributes for a spawn, made once per combination and kept: posix_spawn only reads them,
   * so one serves every thread. Past {@link #MAX_ATTRIBUTES} combinations (a caller inventing
   * signal sets), they live in {@code arena}. Limit: they are never destroyed, which costs nothing
   * with glibc, whose posix_spawnattr_t owns no memory; Darwin's allocates, so there those past
   * the cap would leak.
   */
  private static MemorySegment attributes(Arena arena, short session, long reset,
      Set<Integer> keepIgnored, Set<Integer> keepBlocked) {
    PosixLayout layout = PosixLibC.LAYOUT;
    // The signals in reset back to their default, but those kept ignored. On Linux reset holds
    // glibc's internal 32 and 33, which glibc's own loop otherwise leaves ignored in the child.
    long defaults = layout.sigsetWord(sig -> (reset & 1L << (sig - 1)) != 0 && !keepIgnored.contains(sig));
    long blocked = layout.sigsetWord(keepBlocked::contains); // usually the empty mask
    AttributesKey key = new AttributesKey(session, defaults, blocked);
    MemorySegment kept = ATTRIBUTES.get(key);
    if (kept != null) {
      return kept;
    }
    if (ATTRIBUTES.size() >= MAX_ATTRIBUTES) {
      return makeAttributes(arena, session, defaults, blocked);
    }
    return ATTRIBUTES.computeIfAbsent(key,
        k -> makeAttributes(Arena.global(), session, defaults, blocked));
  }

  private static short flags(short session) {
    return (short) (session | PosixLibC.POSIX_SPAWN_SETSIGMASK | PosixLibC.POSIX_SPAWN_SETSIGDEF);
  }

  private record AttributesKey(short session, long defaults, long blocked) {}

  private static MemorySegment makeAttributes(Arena arena, short session, long defaults, long blocked) {
    PosixLayout layout = PosixLibC.LAYOUT;
    MemorySegment attr = arena.allocate(layout.SPAWNATTR);
    PosixLibC.spawnattrInit(attr);
    PosixLibC.spawnattrSetflags(attr, flags(session));
    MemorySegment set = arena.allocate(layout.SIGSET);
    layout.setSigset(set, blocked);
    PosixLibC.spawnattrSetsigmask(attr, set);
    layout.setSigset(set, defaults);
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
