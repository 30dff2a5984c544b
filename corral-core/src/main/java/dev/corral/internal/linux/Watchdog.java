package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.internal.Signals;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * The parent-death guard: one small {@code /bin/sh} per JVM running watchdog.sh, blocked reading
 * a pipe whose only writer is this JVM. However the JVM ends, even by SIGKILL, the kernel closes
 * that pipe; the watchdog then reads end of file and ends every run this JVM started, all runs
 * at once, so that a thousand runs (3,000 processes) are gone within their grace plus one second:
 * <ul>
 *   <li>cgroup runs: with this JVM's whole cgroup directory frozen once, each run's stop signal
 *       to its members, SIGCONT; then its grace period (the default for an unbounded one), then
 *       {@code cgroup.kill} (at once for signal 9 or grace 0), then removes the cgroups;
 *   <li>process-group runs: each run's stop signal, once, to every process carrying its marker
 *       and to the processes without one in their groups and sessions, found by one sweep of
 *       {@code /proc}; its grace period, then SIGKILL to them and the groups they lead.
 * </ul>
 * It costs one process per JVM and nothing per run. On a normal exit the shutdown hook has
 * already stopped every run, and the watchdog finds nothing to do. The library spawns it in a
 * session of its own; Corral's launcher forks it before the JVM starts ({@link Preforked}), in
 * the caller's session, where it ignores the terminal's signals.
 *
 * <p>Limit: in process-group mode it cannot find a process that scrubbed its environment and
 * left the run's session (the same limit as the layer itself); in a pid namespace without its own
 * /proc it does not sweep /proc at all, whose pids name other processes there.
 *
 * <p>Linux's alone, though the process-group layer is POSIX: the script greps /proc and writes
 * cgroup.kill and cgroup.freeze, so a macOS backend needs a watchdog of its own.
 */
final class Watchdog {
  private Watchdog() {}

  /** The script (watchdog.sh beside this class): its protocol is described at its top. */
  private static String script() {
    try (var in = Watchdog.class.getResourceAsStream("watchdog.sh")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    } catch (java.io.IOException | NullPointerException e) {
      throw new IllegalStateException("watchdog.sh is missing from Corral's jar", e);
    }
  }

  /**
   * Tells the watchdog to spare processes a run left running on purpose (LEAVE_RUNNING): they
   * still carry the run's marker. A pid reused later is spared too, which errs on the safe side.
   */
  static void leave(java.util.List<Long> pids) {
    for (long pid : pids) {
      send("- " + pid + "\n");
    }
  }

  private static void send(String line) {
    byte[] bytes = line.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    synchronized (told) {
      if (out == null) {
        return;
      }
      try {
        out.write(bytes);
      } catch (java.io.IOException e) {
        // The watchdog died: nothing is left to tell. Runs still end normally.
      }
    }
  }

  /** What the watchdog was last told about each run cgroup; absent means TERM and 2 s. */
  private static final Map<String, String> told = new HashMap<>();

  private static final String DEFAULT_STOP = LibC.SIGTERM + " " + Command.DEFAULT_GRACE.toMillis();

  /**
   * Tells the watchdog how to stop a process-group run if this JVM dies, when that is not TERM
   * and 2 s; {@code suffix} is what the run's marker adds to the JVM's prefix. Returns whether
   * it told, so that {@link #forget} follows.
   */
  static boolean tellGroup(String suffix, Command command) {
    String stop = stopOf(command);
    if (stop.equals(DEFAULT_STOP)) {
      return false;
    }
    send("m" + suffix + " " + stop + "\n");
    return true;
  }

  /** The group run told with {@link #tellGroup} is over. */
  static void forget(String suffix) {
    send("x m" + suffix + "\n");
  }

  private static String stopOf(Command command) {
    long grace = command.graceUnbounded() ? Command.DEFAULT_GRACE.toMillis() : command.grace().toMillis();
    return Signals.here(command.stopSignal()) + " " + grace;
  }

  /**
   * Tells the watchdog how to stop the run in {@code cgroup} if this JVM dies: its stop signal,
   * then its grace period (an unbounded one counts as the default), then cgroup.kill. Writes only
   * when that differs from what the watchdog already knows for this cgroup.
   */
  static void tell(java.nio.file.Path cgroup, Command command) {
    String stop = stopOf(command);
    String name = cgroup.getFileName().toString().substring("run-".length());
    synchronized (told) {
      String before = told.getOrDefault(name, DEFAULT_STOP);
      if (before.equals(stop) || out == null) {
        return;
      }
      told.put(name, stop);
      send(name + " " + stop + "\n");
    }
  }

  /** The pipe to the watchdog; its only writer is this JVM. Null until started. */
  private static volatile java.io.OutputStream out;

  static boolean started() {
    return out != null;
  }

  /**
   * Starts the watchdog once per JVM, or takes over the one Corral's launcher forked before the
   * JVM started (which costs the first run no spawn). {@code markerPrefix} starts every run's
   * marker value; {@code cgroupDir} is the JVM's cgroup directory and {@code gateDir} its spawn
   * gate's, or null.
   */
  static synchronized void ensureStarted(String markerPrefix, String cgroupDir, String gateDir) {
    if (out != null) {
      return;
    }
    java.io.OutputStream pipe = Preforked.watchdog();
    if (pipe == null) {
      pipe = spawn();
    }
    // In a pid namespace without its own /proc, the pids read there name other processes: an
    // empty prefix tells the watchdog not to sweep /proc at all.
    String prefix = ProcTable.ownNamespace() ? markerPrefix : "";
    String header = prefix + "\n" + (cgroupDir == null ? "" : cgroupDir) + "\n"
        + (gateDir == null ? "" : gateDir) + "\n";
    synchronized (told) {
      out = pipe;
      send(header);
    }
  }

  private static java.io.OutputStream spawn() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pair = arena.allocate(ValueLayout.JAVA_INT, 2);
      LibC.pipe2(pair, PosixLibC.O_CLOEXEC);
      int read = pair.getAtIndex(ValueLayout.JAVA_INT, 0);
      int write = pair.getAtIndex(ValueLayout.JAVA_INT, 1);
      Map<String, String> env = new HashMap<>();
      env.put("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
      Command command = Command.of("/bin/sh", "-c", script(), "corral-watchdog")
          .stdin(Input.none()).stdout(Output.discard()).stderr(Output.discard());
      try {
        Spawner.Spawned s = Spawner.spawn(command, env, null, null, new Stdio(command, read, 0));
        // Nobody waits for it: it outlives this JVM by design. Its pidfd is not needed.
        PosixLibC.close(s.pidfd());
      } finally {
        PosixLibC.close(read);
      }
      // Java's own stream on the write end, so that telling the watchdog needs no native call.
      try {
        return new java.io.FileOutputStream("/proc/self/fd/" + write);
      } catch (java.io.FileNotFoundException e) {
        throw new IllegalStateException("cannot open the watchdog's pipe: " + e.getMessage(), e);
      } finally {
        PosixLibC.close(write);
      }
    }
  }
}
