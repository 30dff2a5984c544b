package dev.corral.cli;

import dev.corral.internal.ProcStat;
import dev.corral.internal.cli.ProcessView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code corral tree PID}: the processes descended from PID, drawn as a tree, then those that left
 * the tree (reparented after a double fork) but still share PID's session or process group. A
 * snapshot: processes may start or end while it is read. Pure logic over a process list.
 */
final class TreeView {
  private final Map<Integer, List<ProcessView>> children = new HashMap<>();
  private final Map<Integer, ProcessView> byPid = new HashMap<>();

  TreeView(List<ProcessView> processes) {
    for (ProcessView p : processes) {
      byPid.put(p.stat().pid(), p);
      children.computeIfAbsent(p.stat().ppid(), k -> new ArrayList<>()).add(p);
    }
    children.values().forEach(l -> l.sort(Comparator.comparingInt(v -> v.stat().pid())));
  }

  boolean has(int pid) {
    return byPid.containsKey(pid);
  }

  /** The root and its descendants, depth first. */
  List<ProcessView> descendants(int root) {
    List<ProcessView> out = new ArrayList<>();
    collect(root, out);
    return out;
  }

  private void collect(int pid, List<ProcessView> out) {
    ProcessView p = byPid.get(pid);
    if (p == null) {
      return;
    }
    out.add(p);
    for (ProcessView c : children.getOrDefault(pid, List.of())) {
      if (c.stat().pid() != pid) {
        collect(c.stat().pid(), out);
      }
    }
  }

  /** Processes outside the tree that share the root's session or group, when the root leads one. */
  List<ProcessView> related(int root) {
    ProcessView r = byPid.get(root);
    Set<Integer> inTree = new HashSet<>();
    descendants(root).forEach(p -> inTree.add(p.stat().pid()));
    List<ProcessView> out = new ArrayList<>();
    for (ProcessView p : byPid.values()) {
      ProcStat s = p.stat();
      boolean shares = (r.stat().session() == root && s.session() == root)
          || (r.stat().pgrp() == root && s.pgrp() == root);
      if (shares && !inTree.contains(s.pid())) {
        out.add(p);
      }
    }
    out.sort(Comparator.comparingInt(v -> v.stat().pid()));
    return out;
  }

  String text(int root) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%7s %7s %7s %7s S %-32s %s%n", "PID", "PPID", "PGID", "SID", "CGROUP", "COMMAND"));
    draw(root, "", "", sb);
    List<ProcessView> related = related(root);
    if (!related.isEmpty()) {
      sb.append(String.format("%nOutside the tree, in its session or process group:%n"));
      for (ProcessView p : related) {
        line(p, "", sb);
      }
    }
    return sb.toString();
  }

  private void draw(int pid, String lead, String childLead, StringBuilder sb) {
    ProcessView p = byPid.get(pid);
    line(p, lead, sb);
    List<ProcessView> kids = children.getOrDefault(pid, List.of());
    for (int i = 0; i < kids.size(); i++) {
      boolean last = i == kids.size() - 1;
      int kid = kids.get(i).stat().pid();
      if (kid != pid) {
        draw(kid, childLead + (last ? "└─ " : "├─ "), childLead + (last ? "   " : "│  "), sb);
      }
    }
  }

  private static void line(ProcessView p, String lead, StringBuilder sb) {
    ProcStat s = p.stat();
    sb.append(String.format("%7d %7d %7d %7d %c %-32s %s%s%n", s.pid(), s.ppid(), s.pgrp(), s.session(),
        s.state(), p.cgroup(), lead, p.command()));
  }

  String json(int root) {
    Report.Json j = new Report.Json();
    j.begin();
    j.field("root");
    node(root, j);
    j.field("related");
    j.openArray();
    List<ProcessView> related = related(root);
    for (int i = 0; i < related.size(); i++) {
      if (i > 0) {
        j.comma();
      }
      fields(related.get(i), j);
      j.end();
    }
    j.closeArray();
    j.end();
    return j.toString();
  }

  private void node(int pid, Report.Json j) {
    fields(byPid.get(pid), j);
    j.field("children");
    j.openArray();
    boolean first = true;
    for (ProcessView c : children.getOrDefault(pid, List.of())) {
      if (c.stat().pid() == pid) {
        continue;
      }
      if (!first) {
        j.comma();
      }
      first = false;
      node(c.stat().pid(), j);
    }
    j.closeArray();
    j.end();
  }

  private static void fields(ProcessView p, Report.Json j) {
    ProcStat s = p.stat();
    j.begin();
    j.field("pid").value(s.pid());
    j.field("ppid").value(s.ppid());
    j.field("pgid").value(s.pgrp());
    j.field("sid").value(s.session());
    j.field("state").value(String.valueOf(s.state()));
    j.field("cgroup").value(p.cgroup());
    j.field("command").value(p.command());
  }
}
