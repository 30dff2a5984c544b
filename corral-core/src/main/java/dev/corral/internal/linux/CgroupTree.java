package dev.corral.internal.linux;

import dev.corral.Containment;
import dev.corral.Teardown;
import dev.corral.internal.ProcStat;
import dev.corral.internal.posix.PosixLibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The cgroup v2 layer: one cgroup per run, entered before the child's first instruction (see
 * {@link CgroupGate}), so every descendant is in it whatever it does, short of a privileged move.
 *
 * <p>When every member is in the leader's own process group, the stop signal is one group signal,
 * which the kernel delivers to the whole group at once, forks included. Otherwise it goes out
 * while the cgroup is frozen: a fork storm cannot add members between
 * the listing and the signals, and a frozen member cannot exit on its own, so its pid cannot be
 * recycled mid-stop. Each pid is still signalled through a pidfd after checking it is in this
 * cgroup. The freeze is awaited through cgroup.events, never on the service thread: on a busy
 * machine it takes milliseconds, and other runs' deadlines must not wait. SIGKILL is
 * cgroup.kill, which the kernel applies atomically, new forks included. Emptiness comes from the
 * kernel's "populated" flag, announced through cgroup.events.
 */
final class CgroupTree implements Tree {
  /** How long a freeze may take before signalling anyway (a task in D state delays it). */
  private static final long FREEZE_WAIT_NANOS = 100_000_000L;
  /** Looks at cgroup.events after a signal: at 0.5, 1, 2, 4 and 8 ms. */
  private static final long LOOK_FIRST_NANOS = 500_000L;
  private static final long LOOK_LAST_NANOS = 8_000_000L;

  private final Supervisor supervisor;
  private final CgroupHierarchy hierarchy;
  private final RunCgroup cgroup;
  private final Path dir;
  private final String relative;
  private final int leader;
  private final boolean hasKill;
  /** Who is told when cgroup.events changes, or null: the run's one listener at a time. */
  private BooleanSupplier listening;
  /** Signal passes waiting for the freeze to take hold; they run together, then one thaw. */
  private final List<Runnable> whileFrozen = new ArrayList<>();
  private Supervisor.Timer freezeTimer;
  private boolean eventsWatched;
  /** Once seen empty, and never frozen, the cgroup can be recycled without reading it again. */
  private boolean seenEmpty;
  private boolean froze;

  private final Teardown.Placement placement;
  /** Whether cgroup.kill was written: see {@link #close}. */
  private boolean killFileUsed;

  CgroupTree(Supervisor supervisor, CgroupHierarchy hierarchy, RunCgroup cgroup, int leader,
      Teardown.Placement placement) {
    this.placement = placement;
    this.supervisor = supervisor;
    this.hierarchy = hierarchy;
    this.cgroup = cgroup;
    this.dir = cgroup.dir;
    this.relative = "/" + hierarchy.mount.relativize(dir);
    this.leader = leader;
    this.hasKill = hierarchy.hasKill;
  }

  @Override
  public Containment containment() {
    return Containment.CGROUP;
  }

  @Override
  public Teardown.Placement placement() {
    return placement;
  }

  @Override
  public List<ProcStat> members() {
    List<ProcStat> out = new ArrayList<>();
    for (int pid : CgroupFs.procs(dir)) {
      if (pid != leader) {
        ProcStat s = ProcTable.stat(pid);
        if (s != null && !s.exited()) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** The kernel's own answer: "populated 0" ignores zombies, so the unreaped leader does not count. */
  @Override
  public boolean isEmpty() {
    if (populated()) {
      return false;
    }
    seenEmpty = true; // for good: nothing but Corral's own spawn can enter an empty cgroup
    return true;
  }

  /** The same answer: the kernel's flag, read through this thread's own buffer. */
  @Override
  public boolean isEmptyFromAnyThread() {
    return isEmpty();
  }

  boolean populated() {
    return cgroup.populated();
  }

  /**
   * Freezes the cgroup and, once it is frozen (awaited through cgroup.events, never on the
   * service thread), signals the leader and every member, each through a pidfd after checking it
   * is in this cgroup, then thaws. So the signal reaches exactly who was there at once, as a
   * group signal would: a process forked after the thaw, such as a trap's own child, is not hit.
   * {@code then} hears the members signalled.
   */
  @Override
  public void stop(int signal, Consumer<List<Long>> then) {
    if (whileFrozen.isEmpty() && !released) {
      List<ProcStat> members = members();
      if (inLeadersGroup(members)) {
        // Every member is in the leader's own process group, whose id stays the run's while the
        // leader is unreaped, and which only the run's processes can join (it lies in the
        // leader's session). A group signal reaches them all at once, forks included, without
        // the freeze, whose wait for each member to be scheduled costs milliseconds on busy
        // CPUs. Limit: a member that leaves the group between this look and the signal misses
        // it; it is still in the cgroup, so the KILL after the grace, or the stop of what the
        // leader left behind, ends it.
        ProcTable.TABLE.signalGroup(leader, signal);
        if (signal != LibC.SIGKILL) {
          ProcTable.TABLE.signalGroup(leader, LibC.SIGCONT);
        }
        then.accept(ProcStat.pids(members));
        lookAgain(LOOK_FIRST_NANOS);
        return;
      }
    }
    whileFrozen.add(() -> {
      List<ProcStat> members = members();
      signalChecked(leader, signal);
      for (ProcStat p : members) {
        signalChecked(p.pid(), signal);
      }
      then.accept(ProcStat.pids(members));
    });
    if (whileFrozen.size() > 1) {
      return; // a freeze is already on its way; this pass joins it
    }
    froze = true;
    CgroupFs.write(dir.resolve("cgroup.freeze"), "1");
    if (frozenOrEmpty()) {
      runFrozen();
    } else {
      watchEvents();
      freezeTimer = supervisor.after(FREEZE_WAIT_NANOS, this::runFrozen);
    }
  }

  /** Runs the waiting signal passes (frozen, or the freeze took too long), then thaws. */
  private void runFrozen() {
    if (freezeTimer != null) {
      freezeTimer.cancel();
      freezeTimer = null;
    }
    try {
      // A pass may add another (a cancel that resends): it runs in this same frozen window.
      for (int i = 0; i < whileFrozen.size(); i++) {
        whileFrozen.get(i).run();
      }
    } finally {
      whileFrozen.clear();
      thaw();
      unwatchEventsIfIdle();
      lookAgain(LOOK_FIRST_NANOS);
    }
  }

  /**
   * After a signal: looks at cgroup.events again after {@code delayNanos}, then twice as late, up
   * to {@link #LOOK_LAST_NANOS}, besides the kernel's notice. The notice comes from a kernel work
   * item that, on busy CPUs, ran milliseconds after the last member had gone.
   */
  private void lookAgain(long delayNanos) {
    supervisor.after(delayNanos, () -> {
      BooleanSupplier listener = listening;
      if (listener != null) {
        tell(listener);
        if (listening == listener && delayNanos < LOOK_LAST_NANOS) {
          lookAgain(delayNanos * 2);
        }
      }
    });
  }

  /**
   * Whether the leader leads its own process group and every member is in it. The leader must
   * still be in this cgroup (alive or unreaped): were it reaped and its pid reused outside, that
   * group would not be the run's. While the leader or any member holds the group's id, the
   * kernel cannot give it to another process.
   */
  private boolean inLeadersGroup(List<ProcStat> members) {
    ProcStat l = ProcTable.stat(leader);
    if (l == null || l.pgrp() != leader || !inThisCgroup(leader)) {
      return false; // --foreground, or the leader reaped
    }
    for (ProcStat p : members) {
      if (p.pgrp() != leader) {
        return false;
      }
    }
    return true;
  }

  private boolean frozenOrEmpty() {
    String now = cgroup.events();
    return now == null || now.contains("frozen 1") || now.contains("populated 0");
  }

  @Override
  public List<Long> kill() {
    List<Long> members = new ArrayList<>();
    for (int pid : CgroupFs.procs(dir)) {
      if (pid != leader) {
        members.add((long) pid);
      }
    }
    if (hasKill) {
      killFileUsed = true;
      CgroupFs.write(dir.resolve("cgroup.kill"), "1");
    } else {
      freeze();
      try {
        signalChecked(leader, LibC.SIGKILL);
        for (ProcStat p : members()) {
          signalChecked(p.pid(), LibC.SIGKILL);
        }
      } finally {
        thaw();
      }
    }
    return members;
  }

  /**
   * Signal and SIGCONT (for stopped members) through a pidfd, only if the process is in this
   * cgroup: the pidfd names one process, so a pid freed and reused meanwhile is never hit.
   */
  private void signalChecked(int pid, int signal) {
    int pidfd = LibC.pidfdOpen(pid);
    if (pidfd < 0) {
      return;
    }
    try {
      if (inThisCgroup(pid)) {
        LibC.pidfdSendSignal(pidfd, pid, signal);
        if (signal != LibC.SIGKILL) {
          LibC.pidfdSendSignal(pidfd, pid, LibC.SIGCONT);
        }
      }
    } finally {
      PosixLibC.close(pidfd);
    }
  }

  private boolean inThisCgroup(int pid) {
    try {
      String text = Files.readString(Path.of("/proc/" + pid + "/cgroup"), StandardCharsets.ISO_8859_1);
      for (String line : text.split("\n")) {
        if (line.startsWith("0::")) {
          String path = line.substring(3);
          return path.equals(relative) || path.startsWith(relative + "/");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private void freeze() {
    froze = true;
    CgroupFs.write(dir.resolve("cgroup.freeze"), "1");
    long until = System.nanoTime() + FREEZE_WAIT_NANOS;
    while (System.nanoTime() - until < 0) {
      String now = cgroup.events();
      if (now == null || now.contains("frozen 1") || now.contains("populated 0")) {
        return;
      }
      LockSupport.parkNanos(20_000);
    }
  }

  private void thaw() {
    CgroupFs.write(dir.resolve("cgroup.freeze"), "0");
  }

  /** Set once members were moved out (left running): they keep the leader's group. */
  private boolean released;

  @Override
  public List<Long> release() {
    released = true;
    // Frozen, nobody can fork into the cgroup while its members move out.
    freeze();
    List<ProcStat> members = members();
    try {
      Path outside = hierarchy.home().resolve("cgroup.procs");
      for (int round = 0; round < 10 && !CgroupFs.procs(dir).isEmpty(); round++) {
        for (int pid : CgroupFs.procs(dir)) {
          if (pid != leader) {
            CgroupFs.tryWrite(outside, Integer.toString(pid));
          }
        }
      }
    } finally {
      thaw();
    }
    List<Long> left = ProcStat.pids(members);
    Watchdog.leave(left);
    return left;
  }

  @Override
  public void onMaybeEmpty(BooleanSupplier listener) {
    listening = listener;
    watchEvents();
    // The tree may have emptied before the watch began.
    tell(listener);
  }

  /** cgroup.events changed: a freeze took hold, or the tree may be empty. */
  private void eventsChanged() {
    // Read it every time: the kernel flags the file until it is read, and epoll would report it
    // again at once, however long the listener waits (a grace period) before it reads.
    boolean frozen = frozenOrEmpty();
    if (!whileFrozen.isEmpty() && frozen) {
      runFrozen();
    }
    BooleanSupplier listener = listening;
    if (listener != null) {
      tell(listener);
    }
  }

  /** Asks {@code listener}, if it is still the one listening, and stops once it says done. */
  private void tell(BooleanSupplier listener) {
    if (listening == listener && listener.getAsBoolean() && listening == listener) {
      stopListening();
    }
  }

  private void watchEvents() {
    if (!eventsWatched) {
      eventsWatched = true;
      supervisor.watch(cgroup.eventsFd(), LibC.EPOLLPRI, events -> eventsChanged());
    }
  }

  private void unwatchEventsIfIdle() {
    if (eventsWatched && listening == null && whileFrozen.isEmpty()) {
      eventsWatched = false;
      supervisor.unwatch(cgroup.eventsFd());
    }
  }

  private void stopListening() {
    listening = null;
    unwatchEventsIfIdle();
  }

  @Override
  public void close() {
    if (freezeTimer != null) {
      freezeTimer.cancel();
    }
    whileFrozen.clear();
    stopListening();
    boolean idle = seenEmpty && !froze;
    String events = idle ? null : cgroup.events();
    // A spare may hold an empty cgroup a nested Corral left: harmless, freeze and kill are
    // recursive and members are listed per cgroup; removeRun() clears it in the end.
    // Measured on Linux 6.18: once cgroup.kill was written to a cgroup, every child that
    // clone3(CLONE_INTO_CGROUP) puts there later is killed at birth (the cgroup's kill count
    // no longer matches the one its fork saw). So with kernel placement such a cgroup is never
    // reused; the gate moves children in after their fork, which the kill count does not touch.
    boolean reusable = !(killFileUsed && KernelPlacement.AVAILABLE);
    if (reusable && (idle || events != null && events.contains("populated 0") && events.contains("frozen 0"))) {
      hierarchy.recycle(cgroup);
    } else {
      CgroupHierarchy.removeRun(cgroup);
    }
  }

  /** Ends everything in a cgroup this process owns and removes it: for stale cgroups of dead JVMs. */
  static void killAndRemove(Path cgroup) {
    for (int i = 0; i < 100 && CgroupFs.keyed(cgroup.resolve("cgroup.events"), "populated") == 1; i++) {
      if (CgroupFs.tryWrite(cgroup.resolve("cgroup.kill"), "1") < 0) {
        // Before Linux 5.14: frozen members cannot exit, so their pids are stable while signalled.
        CgroupFs.tryWrite(cgroup.resolve("cgroup.freeze"), "1");
        for (int pid : CgroupFs.procs(cgroup)) {
          PosixLibC.kill(pid, LibC.SIGKILL);
        }
        CgroupFs.tryWrite(cgroup.resolve("cgroup.freeze"), "0");
      }
      LockSupport.parkNanos(10_000_000L);
    }
    CgroupHierarchy.removeRun(cgroup);
  }
}
