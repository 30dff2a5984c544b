package dev.corral.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.CorralException;
import dev.corral.internal.ProcStat;
import dev.corral.internal.StopSequence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shared POSIX pieces over fakes: the process-group layer's membership and signals over a
 * process table that is not /proc (as macOS would bring), and the per-OS errno tables.
 */
class PosixLogicTest {
  private static final int LEADER = 500;

  /** A process table as data; signals are recorded, never sent. */
  static final class FakeTable implements ProcessTable {
    final List<ProcStat> procs = new ArrayList<>();
    final Map<Integer, String> markers = new HashMap<>();
    final List<String> sent = new ArrayList<>();

    @Override
    public boolean ownNamespace() {
      return true;
    }

    @Override
    public List<ProcStat> scan() {
      return List.copyOf(procs);
    }

    @Override
    public String environValue(int pid, byte[] prefix) {
      return markers.get(pid);
    }

    @Override
    public long startedBefore(long nanosAgo) {
      return 1_000;
    }

    @Override
    public int lastPid() {
      return -1;
    }

    @Override
    public boolean signalIfSame(ProcStat seen, int signal) {
      sent.add(seen.pid() + ":" + signal);
      return true;
    }

    @Override
    public void signalGroup(int pgid, int signal) {
      sent.add("-" + pgid + ":" + signal);
    }
  }

  private static ProcStat proc(int pid, int ppid, int pgrp, int session, long start) {
    return new ProcStat(pid, "p" + pid, 'S', ppid, pgrp, session, start);
  }

  private static final StopSequence.Scheduler NO_TIMERS = new StopSequence.Scheduler() {
    @Override
    public void execute(Runnable step) {
      step.run();
    }

    @Override
    public StopSequence.Timer at(long atNanos, Runnable step) {
      return () -> {};
    }
  };

  @Test
  void theGroupLayerFindsItsMembersInAnyProcessTable() {
    FakeTable table = new FakeTable();
    table.procs.add(proc(LEADER, 1, LEADER, LEADER, 2_000));
    table.procs.add(proc(501, LEADER, LEADER, LEADER, 2_000)); // in the group
    table.procs.add(proc(502, 501, 502, 502, 2_000)); // setsid, but a descendant
    table.procs.add(proc(503, 1, 503, 503, 2_000)); // orphaned and setsid: found by marker
    table.markers.put(503, "run-7");
    table.procs.add(proc(504, 1, 504, 504, 500)); // marker, but older than the run: not ours
    table.markers.put(504, "run-7");
    table.procs.add(proc(505, 1, 505, 505, 2_000)); // someone else's
    table.markers.put(505, "run-8");
    List<List<Long>> released = new ArrayList<>();

    GroupTree tree = new GroupTree(NO_TIMERS, table, LEADER, "CORRAL_RUN=run-7", System.nanoTime(),
        released::add);

    assertThat(ProcStat.pids(tree.members())).containsExactlyInAnyOrder(501L, 502L, 503L);
    assertThat(tree.isEmpty()).isFalse();
    List<Long> hit = new ArrayList<>();
    tree.stop(15, hit::addAll);
    assertThat(hit).containsExactlyInAnyOrder(501L, 502L, 503L);
    assertThat(table.sent).as("group first, then members outside it, each checked")
        .containsExactly("-500:15", "502:15", "503:15", "-500:18", "502:18", "503:18");
    assertThat(tree.release()).containsExactlyInAnyOrder(501L, 502L, 503L);
    assertThat(released).hasSize(1);
  }

  @Test
  void errnoNumbersComeFromEachOsTable() {
    assertThat(Errno.LINUX.EAGAIN).isEqualTo(11);
    assertThat(Errno.DARWIN.EAGAIN).isEqualTo(35);
    assertThat(Errno.DARWIN.ENOSYS).isEqualTo(78);
    assertThat(Errno.LINUX.spawnFailure(2)).isEqualTo(CorralException.Reason.NOT_FOUND);
    assertThat(Errno.LINUX.spawnFailure(11)).isEqualTo(CorralException.Reason.RESOURCE_LIMIT);
    assertThat(Errno.DARWIN.spawnFailure(35)).isEqualTo(CorralException.Reason.RESOURCE_LIMIT);
    assertThat(Errno.DARWIN.spawnFailure(11)).as("EDEADLK on Darwin").isEqualTo(CorralException.Reason.SYSTEM);
    assertThat(Errno.LINUX.spawnFailure(7)).isEqualTo(CorralException.Reason.ARGUMENT_LIST_TOO_LONG);
    assertThat(Errno.forOs("Linux")).isSameAs(Errno.LINUX);
    assertThat(Errno.forOs("Mac OS X")).isSameAs(Errno.DARWIN);
    assertThat(Errno.forOs("FreeBSD")).as("no table: refused, not guessed").isNull();
  }
}
