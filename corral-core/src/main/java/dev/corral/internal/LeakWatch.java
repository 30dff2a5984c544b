package dev.corral.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Finds the processes a stretch of this JVM's life started that are still alive at its end (the
 * engine of {@code dev.corral.ProcessWatch}). One method per system: a cgroup the JVM moves into
 * where Corral can create cgroups, so membership catches every descendant however it escaped;
 * else snapshots of the JVM's descendants, which miss a process that left the tree between two
 * snapshots.
 */
public interface LeakWatch extends AutoCloseable {

  /** A process the watch found alive. */
  record Found(long pid, long ppid, long session, Instant start, String commandLine) {}

  /** "cgroup" or "descendants". */
  String method();

  /** What this method cannot see, in words. */
  String blindSpot();

  /** The processes started since the watch began that are alive now, oldest first. */
  List<Found> alive();

  /**
   * Ends what {@link #alive} finds and what they start meanwhile: the stop signal (TERM, then CONT)
   * to each, up to {@code grace} for them to end, then SIGKILL until none is left (bounded by 5
   * s). Returns the pids that needed SIGKILL.
   */
  List<Long> end(Duration grace);

  /** Stops watching. Idempotent. */
  @Override
  void close();
}
