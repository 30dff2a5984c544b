package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.testing.NoLeftovers;
import java.lang.foreign.Linker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which way a child enters its cgroup, per environment: the kernel places it where glibc has
 * pidfd_spawn and posix_spawnattr_setcgroup_np (2.39+, as in bin/debian13's root), else the gate
 * holds it. The expectation comes from this test's own symbol lookup, so a silent fallback fails.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PlacementTest {
  private static final boolean GLIBC_PLACES = Linker.nativeLinker().defaultLookup()
      .find("pidfd_spawn").isPresent()
      && Linker.nativeLinker().defaultLookup().find("posix_spawnattr_setcgroup_np").isPresent();
  private static final Teardown.Placement EXPECTED =
      GLIBC_PLACES && !"gate".equals(System.getProperty("corral.placement"))
          ? Teardown.Placement.KERNEL : Teardown.Placement.GATE;

  @Test
  void eachEnvironmentTakesTheStrongestPlacementItHas() {
    Result r = Command.of("true").containment(Containment.CGROUP).run();
    System.out.println("glibc places children in cgroups: " + GLIBC_PLACES + "; placement used: "
        + r.teardown().placement());
    assertThat(r.teardown().placement()).isEqualTo(EXPECTED);
    assertThat(Capability.probe()).filteredOn(c -> c.name().equals("kernel placement"))
        .singleElement().satisfies(c -> assertThat(c.available()).isEqualTo(EXPECTED == Teardown.Placement.KERNEL));
  }

  @Test
  void theChildIsInItsRunCgroupBeforeItsFirstInstruction() {
    Result r = Command.of("cat", "/proc/self/cgroup").containment(Containment.CGROUP).run();
    assertThat(r.stdoutText()).containsPattern("0::(/.*)?/corral/[0-9]+\\.[0-9]+(\\.[0-9]+)?/run-[0-9]+\\n");
  }

  /** The pid comes from the pidfd (PIDFD_GET_INFO, or glibc's fdinfo read) under kernel placement. */
  @Test
  void theResultNamesTheChildsOwnPid() {
    Result r = Command.of("sh", "-c", "echo $$").containment(Containment.CGROUP).run();
    assertThat(r.stdoutText().trim()).isEqualTo(Long.toString(r.pid()));
  }

  @Test
  void aTreeIsStillEndedAndRunsWithoutACgroupHaveNoPlacement() {
    Result r = Command.of("sh", "-c", "sleep 60 & setsid sleep 60 & sleep 60")
        .containment(Containment.CGROUP).deadline(Duration.ofMillis(200)).run();
    assertThat(r.timedOut()).isTrue();
    assertThat(r.teardown().placement()).isEqualTo(EXPECTED);
    assertThat(r.teardown().signalled()).isEqualTo(4);
    assertThat(Command.of("true").containment(Containment.PROCESS_GROUP).run().teardown().placement())
        .isEqualTo(Teardown.Placement.NONE);
  }

  /**
   * On Linux 6.18, a cgroup that cgroup.kill emptied kills at birth every child the kernel places
   * there later; runs after a killed one must still start normally (their cgroups are not reused).
   */
  @Test
  void runsAfterAKilledRunStartNormally() {
    Result killed = Command.of("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done")
        .containment(Containment.CGROUP).deadline(Duration.ofMillis(100))
        .grace(Duration.ofMillis(100)).run();
    assertThat(killed.teardown().neededKill()).isNotEmpty();
    for (int i = 0; i < 5; i++) {
      assertThat(Command.of("sh", "-c", "exit 3").containment(Containment.CGROUP).run().exitCode())
          .hasValue(3);
    }
  }
}
