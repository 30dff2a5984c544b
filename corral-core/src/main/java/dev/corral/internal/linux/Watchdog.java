package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.Input;
import dev.corral.Output;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * The parent-death guard: one small {@code /bin/sh} per JVM, in its own session, blocked reading
 * a pipe whose only writer is this JVM. However the JVM ends, even by SIGKILL, the kernel closes
 * that pipe; the watchdog then reads end of file and ends every run this JVM started:
 * <ul>
 *   <li>cgroup runs: each run's stop signal to its frozen members, SIGCONT, its grace period
 *       (the default for an unbounded one), then {@code cgroup.kill}, then removes the cgroups;
 *   <li>process-group runs: each run's stop signal to every process carrying its marker (and to
 *       the groups such processes lead), its grace period, then SIGKILL to all of them.
 * </ul>
 * It costs one process per JVM and nothing per run. On a normal exit the shutdown hook has
 * already stopped every run, and the watchdog finds nothing to do.
 *
 * <p>Limit: in process-group mode it cannot find a process that scrubbed its environment and
 * left the run's session (the same limit as the layer itself).
 */
final class Watchdog {
  private Watchdog() {}

  // $1: the marker prefix; $2: the JVM's cgroup directory, or "" without cgroups; $3: the
  // spawn gate's directory, or "". The JVM writes "KEY SIGNAL GRACE_MS" for each run whose stop
  // differs from TERM and 2 s (KEY: N for cgroup run-N, m<marker suffix> for a process-group
  // run), "x KEY" when such a group run is over, and "- PID" for each process a run left running
  // on purpose. A child caught at the gate when the JVM died would wait there forever, holding
  // the dead JVM's memory: opening the FIFO read-write lets it exec, and the marker sweep below
  // then ends it. Frozen members cannot exit, so their pids stay theirs while they are signalled
  // by number; marked processes are signalled by number too, as they are found, the same way
  // the final SIGKILL pass always did.
  private static final String SCRIPT = """
      trap '' HUP INT TERM PIPE
      while read -r n s g; do
        case $n in
          -) eval "keep_$s=1" ;;
          x) eval "unset sig_$s grace_$s" ;;
          *) eval "sig_$n=$s grace_$n=$g" ;;
        esac
      done
      if [ -n "$3" ] && [ -p "$3/release" ]; then
        exec 3<>"$3/release" && exec 3>&-
        sleep 0.05
        rm -f "$3/arrive" "$3/release"
        rmdir "$3" 2>/dev/null
      fi
      if [ -n "$2" ] && [ -d "$2" ]; then
        wait=0
        for d in "$2"/run-*; do
          grep -qs 'populated 1' "$d/cgroup.events" || continue
          n=${d##*/run-}
          eval "s=\\${sig_$n:-15} g=\\${grace_$n:-2000}"
          [ "$s" = 9 ] || [ "$g" = 0 ] && continue
          echo 1 > "$d/cgroup.freeze"
          for i in 1 2 3 4 5 6 7 8 9 10; do
            grep -qs 'frozen 1' "$d/cgroup.events" && break
            sleep 0.01
          done
          for p in $(cat "$d/cgroup.procs"); do
            kill -"$s" "$p" 2>/dev/null
            kill -CONT "$p" 2>/dev/null
          done
          echo 0 > "$d/cgroup.freeze"
          [ "$g" -gt "$wait" ] && wait=$g
        done
        while [ "$wait" -gt 0 ] && grep -qs 'populated 1' "$2"/run-*/cgroup.events; do
          sleep 0.05
          wait=$((wait - 50))
        done
        for i in 1 2 3 4 5 6 7 8 9 10; do
          left=
          for d in "$2"/run-*; do
            [ -d "$d" ] || continue
            echo 1 > "$d/cgroup.kill" 2>/dev/null
            find "$d" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null
            rmdir "$d" 2>/dev/null || left=1
          done
          [ -z "$left" ] && break
          sleep 0.05
        done
        rmdir "$2" 2>/dev/null
        rmdir "${2%/*}" 2>/dev/null
      fi
      hit() {
        s0=$(cut -d' ' -f6 "/proc/$2/stat" 2>/dev/null)
        [ "$s0" = "$2" ] && kill -"$1" -- "-$2" 2>/dev/null
        kill -"$1" "$2" 2>/dev/null
      }
      marked() {
        for f in $(grep -lsz "^CORRAL_RUN=$1" /proc/[0-9]*/environ); do
          p=${f#/proc/}; p=${p%/environ}
          [ "$p" = "$$" ] && continue
          eval "kept=\\${keep_$p:-}"; [ -n "$kept" ] && continue
          echo "$p"
        done
      }
      wait=0
      for p in $(marked "$1"); do
        v=$(tr '\\0' '\\n' < "/proc/$p/environ" 2>/dev/null | grep -m 1 "^CORRAL_RUN=")
        [ -n "$v" ] || continue
        n=m${v#CORRAL_RUN=$1}
        eval "s=\\${sig_$n:-15} g=\\${grace_$n:-2000}"
        [ "$s" = 9 ] || [ "$g" = 0 ] && continue
        hit "$s" "$p"
        kill -CONT "$p" 2>/dev/null
        [ "$g" -gt "$wait" ] && wait=$g
      done
      while [ "$wait" -gt 0 ] && [ -n "$(marked "$1")" ]; do
        sleep 0.05
        wait=$((wait - 50))
      done
      for i in 1 2 3; do
        for p in $(marked "$1"); do
          hit KILL "$p"
        done
      done
      """;

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
      if (writeEnd < 0) {
        return;
      }
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment buf = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
        LibC.write(writeEnd, buf, bytes.length);
      }
    }
  }

  /** What the watchdog was last told about each run cgroup; absent means TERM and 2 s. */
  private static final Map<String, String> told = new HashMap<>();

  private static final String DEFAULT_STOP = Command.SIGTERM + " " + Command.DEFAULT_GRACE.toMillis();

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
    return command.stopSignal() + " " + grace;
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
      if (before.equals(stop) || writeEnd < 0) {
        return;
      }
      told.put(name, stop);
      send(name + " " + stop + "\n");
    }
  }

  private static volatile int writeEnd = -1;

  static boolean started() {
    return writeEnd >= 0;
  }

  /**
   * Starts the watchdog once per JVM. {@code markerPrefix} starts every run's marker value;
   * {@code cgroupDir} is the JVM's cgroup directory and {@code gateDir} its spawn gate's, or null.
   */
  static synchronized void ensureStarted(String markerPrefix, String cgroupDir, String gateDir) {
    if (writeEnd >= 0) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pair = arena.allocate(ValueLayout.JAVA_INT, 2);
      LibC.pipe2(pair, LibC.O_CLOEXEC);
      int read = pair.getAtIndex(ValueLayout.JAVA_INT, 0);
      int write = pair.getAtIndex(ValueLayout.JAVA_INT, 1);
      Map<String, String> env = new HashMap<>();
      env.put("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
      Command command = Command.of("/bin/sh", "-c", SCRIPT, "corral-watchdog", markerPrefix,
              cgroupDir == null ? "" : cgroupDir, gateDir == null ? "" : gateDir)
          .stdin(Input.none()).stdout(Output.discard()).stderr(Output.discard());
      try {
        Spawner.Spawned s = Spawner.spawn(command, env, null, read);
        // Nobody waits for it: it outlives this JVM by design. Its pidfd is not needed.
        LibC.close(s.pidfd());
      } finally {
        LibC.close(read);
      }
      writeEnd = write;
    }
  }
}
