package dev.corral.internal.posix;

import dev.corral.Containment;
import dev.corral.internal.Members;
import dev.corral.internal.ProcStat;
import dev.corral.internal.Scheduler;
import dev.corral.internal.Signals;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The POSIX layer: the leader's own session and process group, plus a sweep of the process table.
 *
 * <p>The leader was spawned with setsid, so its pid is also the group and session id, and Corral
 * keeps it unreaped until the end: no other process can take those ids meanwhile, so {@code
 * kill(-leader)} reaches only the run's processes. A member is any live process that is
 * <ul>
 *   <li>in the leader's session or group,
 *   <li>a descendant of the leader or of another member, or
 *   <li>started after the run began and carries the run's private environment marker.
 * </ul>
 * Members outside the group are signalled only after their start time was checked again, never by
 * bare pid ({@link ProcessTable#signalIfSame}). Everything OS-specific comes through the {@link
 * ProcessTable}; signal numbers come from this OS's {@link Signals} table.
 *
 * <p>Limit: a process that left the session, scrubbed its environment, and whose parent died
 * (so that it was reparented away from the tree) is invisible to this layer.
 */
public final class GroupTree implements Members {
  /**
   * How old a shared snapshot of the process table may be: 10 ms, or four times what the last
   * scan took, so that scanning never takes more than a fifth of the service thread.
   */
  private static final long SHARED_SCAN_NANOS = 10_000_000L;

  private static final int SIGKILL = Signals.current().numberOf("KILL");
  private static final int SIGCONT = Signals.current().numberOf("CONT");

  private final Scheduler scheduler;
  private final ProcessTable table;
  private final int leader;
  private final String marker;
  private final long startNanos;

  /** @param markerEntry the run's environment marker, "NAME=value" */
  public GroupTree(Scheduler scheduler, ProcessTable table, int leader,
      String markerEntry, long startNanos, Consumer<List<Long>> released) {
    this.released = released;
    this.scheduler = scheduler;
    this.table = table;
    this.leader = leader;
    this.marker = markerEntry.substring(markerEntry.indexOf('=') + 1);
    this.prefix = (markerEntry.substring(0, markerEntry.indexOf('=') + 1))
        .getBytes(StandardCharsets.UTF_8);
    this.startNanos = startNanos;
  }

  private final byte[] prefix;
  /** Told the members left running on purpose (a watchdog may need to spare them). */
  private final Consumer<List<Long>> released;

  /**
   * One snapshot of the process table serves every run's emptiness poll for {@link
   * #SHARED_SCAN_NANOS}, and each process's marker is read once (by pid and start time): with
   * hundreds of runs, a scan and an environ read per run per poll would take more than a CPU.
   * A snapshot taken after the leader's exit was seen cannot call a tree empty too early: once
   * the leader is gone and no member is alive, none can appear, since only members make members.
   * (One taken before could miss what the leader started since: see {@link #isEmpty}.) The stop
   * and kill passes use it too: the group signal reaches a new process in the group at once, and
   * one that left the group in those 10 ms is found by the next kill pass, 10 ms later. Service
   * thread only, like every Tree.
   */
  private static final class Shared {
    static List<ProcStat> all = List.of();
    static long takenNanos;
    static long maxAgeNanos = SHARED_SCAN_NANOS;
    static Map<Long, String> markers = new HashMap<>();

    /** A snapshot no older than allowed, and taken after {@code notBeforeNanos} (0: any). */
    static List<ProcStat> scan(ProcessTable table, boolean fresh, long notBeforeNanos) {
      long now = System.nanoTime();
      if (fresh || now - takenNanos > maxAgeNanos || all.isEmpty()
          || (notBeforeNanos != 0 && takenNanos - notBeforeNanos < 0)) {
        all = table.scan();
        takenNanos = System.nanoTime();
        maxAgeNanos = Math.max(SHARED_SCAN_NANOS, 4 * (takenNanos - now));
        if (markers.size() > 2 * all.size() + 64) {
          Map<Long, String> kept = new HashMap<>();
          for (ProcStat p : all) {
            String m = markers.get(key(p));
            if (m != null) {
              kept.put(key(p), m);
            }
          }
          markers = kept;
        }
      }
      return all;
    }

    /** The process's run marker, "" for none; read once per process. */
    static String marker(ProcessTable table, byte[] prefix, ProcStat p) {
      return markers.computeIfAbsent(key(p), k -> {
        String v = table.environValue(p.pid(), prefix);
        return v == null ? "" : v;
      });
    }

    private static Long key(ProcStat p) {
      return ((long) p.pid() << 40) ^ p.startTime();
    }

  }

  @Override
  public Containment containment() {
    return Containment.PROCESS_GROUP;
  }

  /** The live members other than the leader, from a fresh snapshot. */
  public List<ProcStat> members() {
    return members(true);
  }

  /** When this run first asked whether it is empty: its leader had exited by then. */
  private long emptyAskedNanos;

  private List<ProcStat> members(boolean fresh) {
    if (!table.ownNamespace()) {
      // /proc is another pid namespace's: its pids are not ours to signal. Only the leader's
      // group is reachable (kill(-leader) below); the limit is reported by Capability.
      return List.of();
    }
    List<ProcStat> all = Shared.scan(table, fresh, emptyAskedNanos);
    Map<Integer, List<ProcStat>> children = new HashMap<>();
    Set<Integer> member = new HashSet<>();
    ArrayDeque<Integer> frontier = new ArrayDeque<>();
    frontier.add(leader);
    // A process must have started after the run began to carry its marker; this bounds how many
    // environ files are read. One second of slack covers tick rounding.
    long since = table.startedBefore(System.nanoTime() - startNanos);
    for (ProcStat p : all) {
      if (p.pid() == leader || p.exited()) {
        continue;
      }
      children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
      if (p.session() == leader || p.pgrp() == leader
          || (p.startTime() >= since && Shared.marker(table, prefix, p).equals(marker))) {
        if (member.add(p.pid())) {
          frontier.add(p.pid());
        }
      }
    }
    while (!frontier.isEmpty()) {
      for (ProcStat c : children.getOrDefault(frontier.poll(), List.of())) {
        if (member.add(c.pid())) {
          frontier.add(c.pid());
        }
      }
    }
    List<ProcStat> out = new ArrayList<>(member.size());
    for (ProcStat p : all) {
      if (member.contains(p.pid())) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * True when no pid was allocated on this system since the leader's: then the leader cannot have
   * a descendant, and the /proc sweep is skipped. A full wrap of the pid space in between would
   * fool this, so it only counts for runs shorter than a second.
   */
  @Override
  public boolean isEmpty() {
    if (emptyAskedNanos == 0) {
      // Asked only once the leader has exited: a snapshot from before could miss what it started.
      emptyAskedNanos = System.nanoTime();
    }
    return noPidSinceLeader() || members(false).isEmpty();
  }

  /** Only the pid check: the shared snapshot is the service thread's. */
  @Override
  public boolean isEmptyFromAnyThread() {
    return noPidSinceLeader();
  }

  private boolean noPidSinceLeader() {
    return System.nanoTime() - startNanos < 1_000_000_000L && table.lastPid() == leader;
  }

  @Override
  public void stop(int signal, Consumer<List<Long>> then) {
    // A fresh snapshot: a shared one up to 10 ms old can miss a member that left the group just
    // before the stop, and the stop signal (USR1 on a cancel, say) would never reach it.
    List<ProcStat> members = members(true);
    signalAll(members, signal);
    signalAll(members, SIGCONT);
    then.accept(ProcStat.pids(members));
  }

  @Override
  public List<Long> kill() {
    List<ProcStat> members = members(false);
    signalAll(members, SIGKILL);
    return ProcStat.pids(members);
  }

  private void signalAll(List<ProcStat> members, int signal) {
    // Safe: the leader is unreaped, so this group id is still the run's own.
    table.signalGroup(leader, signal);
    for (ProcStat p : members) {
      if (p.pgrp() != leader) {
        table.signalIfSame(p, signal);
      }
    }
  }

  @Override
  public void onMaybeEmpty(BooleanSupplier listener) {
    poll(listener, 1_000_000L);
  }

  private void poll(BooleanSupplier listener, long delayNanos) {
    scheduler.at(scheduler.nanoTime() + delayNanos, () -> {
      if (!listener.getAsBoolean()) {
        // Back off to 10 ms: the sweeps of all runs share one snapshot of the process table,
        // so polling more often than it is renewed would find nothing new.
        poll(listener, Math.min(delayNanos * 2, SHARED_SCAN_NANOS));
      }
    });
  }

  @Override
  public List<Long> release() {
    List<Long> left = ProcStat.pids(members());
    released.accept(left);
    return left;
  }

  @Override
  public List<String> describe() {
    return ProcStat.describe(members());
  }

  @Override
  public void close() {}

}
