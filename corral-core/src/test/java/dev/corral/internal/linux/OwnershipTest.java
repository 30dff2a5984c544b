package dev.corral.internal.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.corral.internal.ProcStat;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Corral touches only what it can prove is its own. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OwnershipTest {

  @Test
  void refusesToWriteToCgroupsItDidNotCreate() {
    CgroupHierarchy h = CgroupHierarchy.probe().hierarchy();
    assumeTrue(h != null, "no cgroup layer here");
    Path root = h.mount;
    // The one write outside its subtree: handing leftovers back to the JVM's own cgroup.procs.
    for (Path foreign : new Path[] {root.resolve("cgroup.kill"), root.resolve("cgroup.freeze"),
        root.resolve("other/cgroup.freeze"), h.base.resolve("../sibling/cgroup.kill"),
        h.base.getParent().resolve("cgroup.kill")}) {
      assertThatThrownBy(() -> CgroupFs.tryWrite(foreign, "1")).as(foreign.toString())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("did not create");
    }
  }

  @Test
  void aRecycledPidIsNotSignalled() throws Exception {
    Process p = new ProcessBuilder("sleep", "30").start();
    try {
      ProcStat real = ProcTable.stat((int) p.pid());
      assertThat(real).isNotNull();
      // The same pid seen earlier with another start time: another process, long gone.
      ProcStat stale = new ProcStat(real.pid(), real.comm(), 'S', real.ppid(), real.pgrp(),
          real.session(), real.startTime() - 1);
      assertThat(Pidfds.signalIfSame(stale, LibC.SIGKILL)).isFalse();
      assertThat(p.isAlive()).isTrue();
      assertThat(Pidfds.signalIfSame(real, LibC.SIGKILL)).isTrue();
      assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
  }
}
