package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.corral.internal.Platform;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The escape routes in cgroup mode: every one is contained. */
class CgroupContainmentTest extends ContainmentContract {

  @BeforeAll
  static void needsCgroups() {
    assumeTrue(Platform.get().capability(Containment.CGROUP).available(),
        () -> "cgroup v2 not usable here: " + Platform.get().capability(Containment.CGROUP).detail());
  }

  @Override
  Containment containment() {
    return Containment.CGROUP;
  }

  @Test
  void theChildIsInItsOwnCgroupFromTheStart() {
    Result r = Command.of("cat", "/proc/self/cgroup").containment(Containment.CGROUP).run();
    assertThat(r.stdoutText()).containsPattern("0::/.*corral/[0-9]+\\.[0-9]+(\\.[0-9]+)?/run-[0-9]+\n");
  }
}
