package dev.corral.internal.portable;

import dev.corral.Containment;
import dev.corral.internal.Members;
import dev.corral.internal.ProcStat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

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
final class RunTree implements Members {
  private static final long SELF = ProcessHandle.current().pid();

  private final Service service;
  private final Census census;
  private final ProcessHandle leader;
  /** Told after each snapshot, until it says done. */
  private BooleanSupplier listening;
  private boolean registered;

  RunTree(Service service, ProcessHandle leader) {
    this.service = service;
    this.census = service.census();
    this.leader = leader;
  }

  /** The run begins: from now on a snapshot is taken every tick while it lives. */
  void register() {
    registered = true;
    service.register(this);
  }

  /** A snapshot was taken: tell the listener. */
  void scanned() {
    BooleanSupplier l = listening;
    if (l != null && l.getAsBoolean() && listening == l) {
      listening = null;
    }
  }

  @Override
  public Containment containment() {
    return Containment.PORTABLE;
  }

  @Override
  public void onMaybeEmpty(BooleanSupplier listener) {
    listening = listener;
    scanned();
  }

  @Override
  public void stop(int signal, Consumer<List<Long>> then) {
    census.scanSince(System.nanoTime());
    then.accept(signal == 0 ? List.of() : terminate(leader.isAlive()));
  }

  @Override
  public List<Long> kill() {
    census.scanSince(System.nanoTime());
    List<Long> hit = kill(leader.isAlive());
    hit.remove((Long) leader.pid());
    return hit;
  }

  @Override
  public List<Long> release() {
    census.scanSince(System.nanoTime());
    return alive().stream().map(ProcessHandle::pid).toList();
  }

  @Override
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    for (ProcessHandle h : alive()) {
      out.add(h.pid() + " (" + h.info().command().orElse("?") + ")");
    }
    return out;
  }

  @Override
  public void close() {
    listening = null;
    if (registered) {
      registered = false;
      service.unregister(this);
    }
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
      if (ProcStat.running(h)) {
        out.add(h);
      }
    }
    return out;
  }

  /** True when no member of the last snapshot is running. The leader is the run's own concern. */
  @Override
  public boolean isEmpty() {
    for (ProcessHandle h : census.members(leader)) {
      if (ProcStat.running(h)) {
        return false;
      }
    }
    return true;
  }

  /** A normal termination to the leader (when {@code leaderToo}) and each live member. */
  private List<Long> terminate(boolean leaderToo) {
    return send(leaderToo, false);
  }

  /**
   * SIGKILL to the leader (when {@code leaderToo}) and each live member, parents first: a parent
   * killed first forks no more, and its children are already known.
   */
  private List<Long> kill(boolean leaderToo) {
    return send(leaderToo, true);
  }

  private List<Long> send(boolean leaderToo, boolean forcibly) {
    List<Long> hit = new ArrayList<>();
    if (leaderToo && destroy(leader, forcibly)) {
      hit.add(leader.pid());
    }
    for (ProcessHandle h : census.members(leader)) {
      if (ProcStat.running(h) && destroy(h, forcibly)) {
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
}
