package dev.corral.internal.linux;

import dev.corral.internal.LeakWatch;
import dev.corral.internal.ProcStat;
import dev.corral.internal.Signals;
import dev.corral.internal.posix.PosixLibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link LeakWatch} by cgroup membership: the JVM moves into a fresh cgroup of Corral's
 * ({@code <jvm dir>/watch-N}) while it watches, so every process it starts from then on, and
 * everything those start, is born in it, however it detaches (new session, double fork, daemon).
 * Corral's own runs go to their own cgroups, so they do not count. Ending happens with the JVM
 * moved back out: a freeze, the stop signal to each member checked through a pidfd, the grace,
 * then {@code cgroup.kill}.
 *
 * <p>Limits: the move is the whole JVM's, so watches that overlap in time (tests run in parallel)
 * share what they see; the first one's cgroup serves all of them. A privileged process that moves
 * itself to another cgroup escapes. Threads of the JVM move with it, and its memory is charged to
 * the watch cgroup meanwhile.
 */
final class CgroupWatch implements LeakWatch {
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final long SELF = ProcessHandle.current().pid();
  private static final Object MOVES = new Object();
  /** The watches open now: the JVM lives in the oldest one's cgroup until all are closed. */
  private static final List<CgroupWatch> OPEN = new ArrayList<>();

  private final CgroupHierarchy hierarchy;
  private final Path dir;
  private final long begun = System.currentTimeMillis();
  private boolean closed;

  private CgroupWatch(CgroupHierarchy hierarchy, Path dir) {
    this.hierarchy = hierarchy;
    this.dir = dir;
  }

  /** Moves this JVM into a fresh cgroup, or into the one an open watch already holds it in. */
  static CgroupWatch begin(CgroupHierarchy h) {
    synchronized (MOVES) {
      if (!OPEN.isEmpty()) {
        CgroupWatch shared = new CgroupWatch(h, OPEN.get(0).dir);
        OPEN.add(shared);
        return shared;
      }
      Path dir = h.jvmDir.resolve("watch-" + NEXT.incrementAndGet());
      try {
        Files.createDirectory(dir);
      } catch (IOException e) {
        throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
      }
      try {
        CgroupFs.write(dir.resolve("cgroup.procs"), Long.toString(SELF));
      } catch (RuntimeException e) {
        CgroupHierarchy.remove(dir);
        throw e;
      }
      CgroupWatch w = new CgroupWatch(h, dir);
      OPEN.add(w);
      return w;
    }
  }

  @Override
  public String method() {
    return "cgroup";
  }

  @Override
  public String blindSpot() {
    return "a privileged process that moved itself to another cgroup; with watches overlapping in"
        + " time (tests in parallel), each sees what the others' code started too";
  }

  @Override
  public List<Found> alive() {
    long boot = bootMillis();
    List<Found> out = new ArrayList<>();
    for (int pid : CgroupFs.procs(dir)) {
      ProcStat s = pid == SELF ? null : ProcTable.stat(pid);
      if (s == null || s.exited()) {
        continue;
      }
      Instant start = Instant.ofEpochMilli(boot + s.startTime() * 1000 / ProcTable.TICKS_PER_SECOND);
      if (start.toEpochMilli() < begun - 1000) {
        continue; // a shared cgroup: started before this watch began
      }
      out.add(new Found(pid, s.ppid(), s.session(), start, commandLine(pid, s.comm())));
    }
    out.sort(Comparator.comparing(Found::start));
    return out;
  }

  @Override
  public List<Long> end(Duration grace) {
    synchronized (MOVES) {
      moveOut();
      int term = Signals.current().numberOf("TERM");
      int cont = Signals.current().numberOf("CONT");
      CgroupFs.write(dir.resolve("cgroup.freeze"), "1");
      try {
        awaitFrozen();
        for (int pid : CgroupFs.procs(dir)) {
          signalIfMember(pid, term);
          signalIfMember(pid, cont);
        }
      } finally {
        CgroupFs.write(dir.resolve("cgroup.freeze"), "0");
      }
      long until = System.nanoTime() + grace.toNanos();
      while (populated() && System.nanoTime() - until < 0) {
        LockSupport.parkNanos(5_000_000L);
      }
      List<Long> killed = new ArrayList<>();
      for (int pid : CgroupFs.procs(dir)) {
        killed.add((long) pid);
      }
      long giveUp = System.nanoTime() + 5_000_000_000L;
      while (populated() && System.nanoTime() - giveUp < 0) {
        CgroupFs.tryWrite(dir.resolve("cgroup.kill"), "1");
        LockSupport.parkNanos(5_000_000L);
      }
      return killed;
    }
  }

  /**
   * Stops watching. The JVM moves back once no other watch is open; what is still in the cgroup
   * then (leaks a caller chose only to report) goes back to where the JVM lives, left alone.
   */
  @Override
  public void close() {
    synchronized (MOVES) {
      if (closed) {
        return;
      }
      closed = true;
      OPEN.remove(this);
      if (OPEN.stream().anyMatch(w -> w.dir.equals(dir))) {
        return;
      }
      moveOut();
      Path home = hierarchy.home().resolve("cgroup.procs");
      for (int round = 0; round < 10 && !CgroupFs.procs(dir).isEmpty(); round++) {
        for (int pid : CgroupFs.procs(dir)) {
          CgroupFs.tryWrite(home, Integer.toString(pid));
        }
      }
      CgroupHierarchy.remove(dir);
    }
  }

  /** Moves the JVM back to its own cgroup, unless a watch still open uses this one. */
  private void moveOut() {
    if (CgroupFs.procs(dir).contains((int) SELF)) {
      CgroupFs.write(hierarchy.home().resolve("cgroup.procs"), Long.toString(SELF));
    }
  }

  private void signalIfMember(int pid, int signal) {
    int pidfd = LibC.pidfdOpen(pid);
    if (pidfd < 0) {
      return;
    }
    try {
      String cg = ProcTable.readSmall("/proc/" + pid + "/cgroup");
      String rel = "/" + hierarchy.mount.relativize(dir);
      if (cg != null && cg.contains("0::" + rel + "\n") && pid != SELF) {
        LibC.pidfdSendSignal(pidfd, pid, signal);
      }
    } finally {
      PosixLibC.close(pidfd);
    }
  }

  private void awaitFrozen() {
    long until = System.nanoTime() + 100_000_000L;
    while (System.nanoTime() - until < 0) {
      String events = ProcTable.readSmall(dir.resolve("cgroup.events").toString());
      if (events == null || events.contains("frozen 1") || events.contains("populated 0")) {
        return;
      }
      LockSupport.parkNanos(100_000L);
    }
  }

  private boolean populated() {
    return CgroupFs.keyed(dir.resolve("cgroup.events"), "populated") == 1;
  }

  private static String commandLine(int pid, String comm) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
      String s = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
      return s.isEmpty() ? "[" + comm + "]" : s;
    } catch (IOException e) {
      return "[" + comm + "]";
    }
  }

  private static long bootMillis() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("btime ")) {
          return Long.parseLong(line.substring(6).trim()) * 1000;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return 0;
  }
}
