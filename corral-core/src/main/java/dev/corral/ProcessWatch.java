package dev.corral;

import dev.corral.internal.LeakWatch;
import dev.corral.internal.Platform;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Watches for processes this JVM starts, by any means ({@code ProcessBuilder}, {@code
 * Runtime.exec}, a library, a shell that daemonizes), so that the ones still alive at the end can
 * be named and ended: the engine of {@code dev.corral.junit.NoLeakedProcesses}.
 *
 * <p>Where Corral can create cgroups, the JVM moves into a fresh one while it watches, and
 * membership finds everything, however it detached ({@link #method()} {@code "cgroup"}). Elsewhere
 * the JVM's descendants are looked at every few milliseconds ({@code "descendants"}), which misses
 * a process that left the tree before a look saw it. {@link #blindSpot()} says what the method in
 * use cannot see. Processes Corral runs are contained by their own runs and do not count.
 *
 * <pre>{@code
 * try (ProcessWatch watch = ProcessWatch.start()) {
 *   codeUnderTest();
 *   List<ProcessWatch.Leak> leaked = watch.leaked();
 *   watch.endLeaked(Duration.ofSeconds(2));
 * }
 * }</pre>
 */
public final class ProcessWatch implements AutoCloseable {

  /** How a leaked process got away from the code that started it. */
  public enum Escape {
    /** It is still a child of this JVM: nobody waited for it. */
    CHILD,
    /** Its parent is another leaked process. */
    DESCENDANT,
    /** Its parent died, and it was adopted by init or a subreaper. */
    REPARENTED,
    /** It started a session of its own (setsid), as daemons do. */
    NEW_SESSION
  }

  /** A process still alive at the end of the watch. */
  public record Leak(long pid, String commandLine, Escape escape, Duration lived) {
    @Override
    public String toString() {
      return "pid " + pid + " (" + commandLine + "), " + escape.name().toLowerCase().replace('_', ' ')
          + ", alive for " + lived.toMillis() + " ms";
    }
  }

  private static final long SELF = ProcessHandle.current().pid();

  private final LeakWatch watch;

  private ProcessWatch(LeakWatch watch) {
    this.watch = watch;
  }

  /** Starts watching now. */
  public static ProcessWatch start() {
    return new ProcessWatch(Platform.get().watchLeaks());
  }

  /** "cgroup" or "descendants". */
  public String method() {
    return watch.method();
  }

  /** What {@link #method()} cannot see, in words. */
  public String blindSpot() {
    return watch.blindSpot();
  }

  /** The processes started since {@link #start()} that are alive now, oldest first. */
  public List<Leak> leaked() {
    return leaks(watch.alive());
  }

  /**
   * Ends every leaked process and what it starts meanwhile: TERM (and CONT), up to {@code grace},
   * then SIGKILL until none is left. Returns what was ended.
   */
  public List<Leak> endLeaked(Duration grace) {
    List<Leak> leaks = leaked();
    if (!leaks.isEmpty()) {
      watch.end(grace);
    }
    return leaks;
  }

  /** Stops watching; leaked processes not ended are left alone. */
  @Override
  public void close() {
    watch.close();
  }

  private static List<Leak> leaks(List<LeakWatch.Found> found) {
    Set<Long> pids = new HashSet<>();
    for (LeakWatch.Found f : found) {
      pids.add(f.pid());
    }
    long session = ownSession();
    Instant now = Instant.now();
    List<Leak> out = new ArrayList<>();
    for (LeakWatch.Found f : found) {
      // A session id of 0 means its leader lives outside this pid namespace (a container, CI):
      // that is the JVM's own case there, and a setsid'd process still shows its own id.
      Escape how = f.session() > 0 && session >= 0 && f.session() != session ? Escape.NEW_SESSION
          : f.ppid() == SELF ? Escape.CHILD
          : pids.contains(f.ppid()) ? Escape.DESCENDANT
          : Escape.REPARENTED;
      Duration lived = Duration.between(f.start(), now);
      out.add(new Leak(f.pid(), f.commandLine(), how, lived.isNegative() ? Duration.ZERO : lived));
    }
    return out;
  }

  private static long ownSession() {
    try {
      dev.corral.internal.ProcStat s = dev.corral.internal.ProcStat.parse(
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat")));
      return s == null ? -1 : s.session();
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }
}
