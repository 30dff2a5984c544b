package dev.corral.internal.portable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The process table as the JDK shows it, remembered from one snapshot to the next. For each live
 * process it keeps its <em>root</em>: the child of this JVM it descends from, found through its
 * parent when the process was first seen. A process keeps its root after its parent dies, so a
 * run still knows the orphans of its tree, each by pid and start time ({@link ProcessHandle}'s
 * identity, which the JDK checks again before it signals).
 *
 * <p>Races and limits: a snapshot is a point in time. A process whose parent died before any
 * snapshot saw it was reparented (to init, or to a subreaper) and has lost its lineage: it gets
 * no root, and no run can find it. The start time has the OS's resolution (10 ms on Linux), so a
 * pid reused within one tick would pass for the old process.
 *
 * <p>Cost per snapshot: one pass over the whole process table ({@link
 * ProcessHandle#allProcesses()}, which reads each process's start time), and for each process not
 * seen before one lookup of its parent. The first snapshot of the JVM looks up every process.
 * Service thread only.
 */
final class Census {
  private static final ProcessHandle SELF = ProcessHandle.current();
  /** The root of a process that descends from no child of this JVM (or whose lineage is lost). */
  private static final ProcessHandle NONE = SELF;

  /** Every process of the last snapshot, with its root. */
  private Map<ProcessHandle, ProcessHandle> roots = new HashMap<>();
  /** The last snapshot's processes per root (the root itself left out), in the table's order. */
  private Map<ProcessHandle, List<ProcessHandle>> byRoot = Map.of();
  private long lastScanStart;
  private boolean scanned;

  /** Takes a snapshot now. */
  void scan() {
    long started = System.nanoTime();
    List<ProcessHandle> now = ProcessHandle.allProcesses().toList();
    Map<ProcessHandle, ProcessHandle> next = new HashMap<>(now.size() * 2);
    Map<ProcessHandle, ProcessHandle> parents = new HashMap<>();
    List<ProcessHandle> fresh = new ArrayList<>();
    for (ProcessHandle h : now) {
      ProcessHandle root = roots.get(h);
      if (root != null) {
        next.put(h, root);
      } else {
        fresh.add(h);
      }
    }
    for (ProcessHandle h : fresh) {
      parents.put(h, h.parent().orElse(null));
    }
    for (ProcessHandle h : fresh) {
      resolve(h, parents, next);
    }
    Map<ProcessHandle, List<ProcessHandle>> grouped = new HashMap<>();
    for (ProcessHandle h : now) {
      ProcessHandle root = next.get(h);
      if (root != NONE && !root.equals(h)) {
        grouped.computeIfAbsent(root, r -> new ArrayList<>()).add(h);
      }
    }
    roots = next;
    byRoot = grouped;
    lastScanStart = started;
    scanned = true;
  }

  /**
   * Finds the root of {@code h}, new in this snapshot, and of the new ancestors on its way: up
   * through new processes until a known one, a child of this JVM, or a broken lineage.
   */
  private static void resolve(ProcessHandle h, Map<ProcessHandle, ProcessHandle> parents,
      Map<ProcessHandle, ProcessHandle> next) {
    List<ProcessHandle> path = new ArrayList<>();
    ProcessHandle root = NONE;
    ProcessHandle at = h;
    while (path.size() < 100_000) {
      ProcessHandle known = next.get(at);
      if (known != null) {
        root = known;
        break;
      }
      path.add(at);
      ProcessHandle parent = parents.get(at);
      if (parent == null) {
        break; // no parent visible: gone, or the top of the table
      }
      if (parent.pid() == SELF.pid()) {
        root = at;
        break;
      }
      if (!parents.containsKey(parent) && !next.containsKey(parent)) {
        break; // the parent is not in this snapshot: it ended meanwhile
      }
      at = parent;
    }
    for (ProcessHandle p : path) {
      next.put(p, root);
    }
  }

  /** Takes a snapshot unless one started at or after {@code sinceNanos}. */
  void scanSince(long sinceNanos) {
    if (!scanned || lastScanStart - sinceNanos < 0) {
      scan();
    }
  }

  /**
   * The processes under {@code root} in the last snapshot, without {@code root}, older first as
   * the table lists them. Some may have ended since.
   */
  List<ProcessHandle> members(ProcessHandle root) {
    return byRoot.getOrDefault(root, List.of());
  }
}
