package dev.corral.internal.portable;

import dev.corral.internal.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run's tree as the {@link Census} knows it: the leader (this JVM's child) and every process
 * found descending from it, orphans included. Each signal goes through a {@link ProcessHandle},
 * whose pid and start time the JDK checks again before it signals, so a recycled pid is never
 * hit; the JVM itself and pid 1 are never signalled. Service thread only.
 *
 * <p>The JDK can send two things: {@code destroy()}, a normal termination (SIGTERM on POSIX; on
 * Windows the process ends at once), and {@code destroyForcibly()} (SIGKILL). Nothing else.
 *
 * <p>{@link ProcessHandle#isAlive()} counts a zombie as alive. Where {@code /proc} shows this
 * JVM's processes (Linux), a member whose state is Z has ended and counts as gone: only its
 * parent's wait is missing, or init's, which some container inits do only every few seconds.
 * Elsewhere a zombie counts as alive until it is reaped.
 */
final class RunTree {
  private static final long SELF = ProcessHandle.current().pid();
  /** Whether /proc is there and shows this JVM's pid namespace. */
  private static final boolean PROC = procShowsSelf();

  private final Census census;
  private final ProcessHandle leader;

  RunTree(Census census, ProcessHandle leader) {
    this.census = census;
    this.leader = leader;
  }

  /** True for the signals the JDK can send: 0 (nothing), TERM and KILL. */
  static boolean sendable(int signal) {
    return signal == 0 || signal == 15 || signal == 9;
  }

  /** Why {@code signal} cannot be sent, for messages. */
  static String refusal(int signal, dev.corral.internal.Signals signals) {
    String name = signals.name(signal);
    return (name == null ? "signal " + signal : "SIG" + name) + ": the JDK can only end a process"
        + " normally (TERM) or forcibly (KILL)";
  }

  /** The members of the last snapshot that are still running, older first. */
  List<ProcessHandle> alive() {
    List<ProcessHandle> out = new ArrayList<>();
    for (ProcessHandle h : census.members(leader)) {
      if (running(h)) {
        out.add(h);
      }
    }
    return out;
  }

  /** True when no member of the last snapshot is running. The leader is the run's own concern. */
  boolean isEmpty() {
    for (ProcessHandle h : census.members(leader)) {
      if (running(h)) {
        return false;
      }
    }
    return true;
  }

  /** Alive and, where /proc can tell, not a zombie. */
  static boolean running(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    if (!PROC) {
      return true;
    }
    try {
      ProcStat stat = ProcStat.parse(Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat")));
      return stat == null || !stat.exited();
    } catch (IOException | RuntimeException e) {
      return h.isAlive();
    }
  }

  private static boolean procShowsSelf() {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self")).toString().equals(Long.toString(SELF));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** A normal termination to the leader (when {@code leaderToo}) and each live member. */
  List<Long> terminate(boolean leaderToo) {
    return send(leaderToo, false);
  }

  /**
   * SIGKILL to the leader (when {@code leaderToo}) and each live member, parents first: a parent
   * killed first forks no more, and its children are already known.
   */
  List<Long> kill(boolean leaderToo) {
    return send(leaderToo, true);
  }

  private List<Long> send(boolean leaderToo, boolean forcibly) {
    List<Long> hit = new ArrayList<>();
    if (leaderToo && destroy(leader, forcibly)) {
      hit.add(leader.pid());
    }
    for (ProcessHandle h : census.members(leader)) {
      if (running(h) && destroy(h, forcibly)) {
        hit.add(h.pid());
      }
    }
    return hit;
  }

  /** True when the JDK requested the end of {@code h}: it was alive and still the same process. */
  private static boolean destroy(ProcessHandle h, boolean forcibly) {
    if (h.pid() == SELF || h.pid() <= 1) {
      return false;
    }
    try {
      return forcibly ? h.destroyForcibly() : h.destroy();
    } catch (IllegalStateException | SecurityException e) {
      return false;
    }
  }

  /** Each member still alive, as {@code "pid (command)"}, for a result's survivors. */
  List<String> describeAlive(boolean leaderAlive) {
    List<String> out = new ArrayList<>();
    for (ProcessHandle h : alive()) {
      out.add(h.pid() + " (" + h.info().command().orElse("?") + ")");
    }
    if (leaderAlive) {
      out.add(leader.pid() + " (leader)");
    }
    return out;
  }
}
