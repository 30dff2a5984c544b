package dev.corral.internal.posix;

import dev.corral.internal.Scheduler;
import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.CorralException;
import dev.corral.internal.ProcStat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

  private static final Scheduler NO_TIMERS = new Scheduler() {
    @Override
    public void execute(Runnable step) {
      step.run();
    }

    @Override
    public Scheduler.Timer at(long atNanos, Runnable step) {
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

  @Test
  void posixLayoutsArePickedByOsAndArchitecture() {
    assertThat(PosixLayout.forPlatform("Linux", "amd64")).isSameAs(PosixLayout.LINUX_X86_64);
    assertThat(PosixLayout.forPlatform("Linux", "aarch64")).isSameAs(PosixLayout.LINUX_AARCH64);
    assertThat(PosixLayout.forPlatform("Mac OS X", "aarch64")).isSameAs(PosixLayout.DARWIN);
    assertThat(PosixLayout.forPlatform("Mac OS X", "x86_64")).isSameAs(PosixLayout.DARWIN);
    assertThat(PosixLayout.forPlatform("Linux", "riscv64")).as("refused, not guessed").isNull();
    assertThat(PosixLayout.forPlatform("FreeBSD", "amd64")).isNull();
    assertThat(PosixLayout.LINUX_AARCH64.O_DIRECTORY).isEqualTo(040000);
    assertThat(PosixLayout.LINUX_AARCH64.SPAWNATTR.byteSize()).isEqualTo(336);
  }

  /** Darwin's values as Apple's headers give them: untested on macOS, so pinned here. */
  @Test
  void darwinLayoutFollowsApplesHeaders() {
    PosixLayout mac = PosixLayout.DARWIN;
    assertThat(mac.POSIX_SPAWN_SETSID).isEqualTo((short) 0x400);
    assertThat(mac.POSIX_SPAWN_SETPGROUP | mac.POSIX_SPAWN_SETSIGDEF | mac.POSIX_SPAWN_SETSIGMASK)
        .isEqualTo(0x0e);
    assertThat(mac.O_CLOEXEC).isEqualTo(0x1000000);
    assertThat(mac.O_NONBLOCK).isEqualTo(0x4);
    assertThat(mac.O_CREAT | mac.O_TRUNC | mac.O_APPEND).isEqualTo(0x608);
    assertThat(mac.SIG_BLOCK).isEqualTo(1);
    assertThat(mac.SIG_UNBLOCK).isEqualTo(2);
    assertThat(mac.SPAWNATTR.byteSize()).as("a pointer").isEqualTo(8);
    assertThat(mac.FILE_ACTIONS.byteSize()).as("a pointer").isEqualTo(8);
    assertThat(mac.SIGSET.byteSize()).isEqualTo(4);
    assertThat(mac.SIGACTION.byteSize()).isEqualTo(16);
    assertThat(mac.SIGACTION.byteOffset(MemoryLayout.PathElement.groupElement("sa_flags")))
        .isEqualTo(12);
    // Signal n is bit n - 1, and there are only 31: USR2 (31) is the top bit of the 32.
    assertThat(mac.sigsetWord(sig -> true)).isEqualTo(0x7fffffffL);
    assertThat(mac.sigsetWord(sig -> sig == 31)).isEqualTo(0x40000000L);
    MemorySegment set = Arena.ofAuto().allocate(mac.SIGSET);
    mac.setSigset(set, mac.sigsetWord(sig -> sig == 1));
    assertThat(set.get(ValueLayout.JAVA_INT, 0)).isEqualTo(1);
  }
}
