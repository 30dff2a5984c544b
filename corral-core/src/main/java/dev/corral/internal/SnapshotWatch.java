package dev.corral.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link LeakWatch} from the JDK alone: the JVM's descendants, looked at every {@link
 * #PERIOD_MILLIS} on a daemon thread while it watches, so a descendant whose parent dies later is
 * still known by pid and start time. Blind spot: a process that left the tree (its parent died)
 * before any look saw it, such as a daemon that double-forks within milliseconds.
 */
public final class SnapshotWatch implements LeakWatch {
  static final long PERIOD_MILLIS = 20;
  private static final ProcessHandle SELF = ProcessHandle.current();

  private final Instant since = Instant.now().minusMillis(10);
  private final Map<Long, ProcessHandle> seen = new LinkedHashMap<>();
  private final Map<Long, Long> preexisting = new LinkedHashMap<>();
  private final Thread looker;
  private volatile boolean closed;

  public SnapshotWatch() {
    SELF.descendants().forEach(h -> preexisting.put(h.pid(), startMillis(h)));
    looker = Thread.ofPlatform().daemon().name("corral-watch").start(() -> {
      while (!closed) {
        look();
        LockSupport.parkNanos(PERIOD_MILLIS * 1_000_000L);
      }
    });
  }

  private synchronized void look() {
    SELF.descendants().forEach(h -> {
      Long before = preexisting.get(h.pid());
      if ((before == null || before != startMillis(h)) && !seen.containsKey(h.pid())) {
        seen.put(h.pid(), h);
      }
    });
  }

  private static long startMillis(ProcessHandle h) {
    return h.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  @Override
  public String method() {
    return "descendants";
  }

  @Override
  public String blindSpot() {
    return "a process whose parent died before a look (every " + PERIOD_MILLIS
        + " ms) saw it, such as a daemon that double-forks at once, is not seen";
  }

  @Override
  public synchronized List<Found> alive() {
    look();
    List<Found> out = new ArrayList<>();
    for (ProcessHandle h : seen.values()) {
      ProcStat stat = ProcStat.of(h.pid());
      if (h.isAlive() && (stat == null || !stat.exited())) {
        ProcessHandle.Info info = h.info();
        out.add(new Found(h.pid(), h.parent().map(ProcessHandle::pid).orElse(0L),
            stat == null ? 0 : stat.session(),
            info.startInstant().orElse(since), info.commandLine().orElse(info.command().orElse("?"))));
      }
    }
    out.sort(Comparator.comparing(Found::start));
    return out;
  }

  @Override
  public List<Long> end(Duration grace) {
    List<ProcessHandle> alive = new ArrayList<>();
    for (Found f : alive()) {
      seen.get(f.pid()).destroy();
      alive.add(seen.get(f.pid()));
    }
    long until = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() - until < 0 && alive.stream().anyMatch(ProcStat::running)) {
      LockSupport.parkNanos(5_000_000L);
      look();
    }
    List<Long> killed = new ArrayList<>();
    long giveUp = System.nanoTime() + 5_000_000_000L;
    List<Found> left;
    while (!(left = alive()).isEmpty() && System.nanoTime() - giveUp < 0) {
      for (Found f : left) {
        if (seen.get(f.pid()).destroyForcibly() && !killed.contains(f.pid())) {
          killed.add(f.pid());
        }
      }
      LockSupport.parkNanos(10_000_000L);
    }
    return killed;
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(looker);
  }
}
