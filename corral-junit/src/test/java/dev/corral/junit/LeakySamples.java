package dev.corral.junit;

import dev.corral.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tests that leak on purpose, run by {@link NoLeakedProcessesTest} through the JUnit launcher
 * (Surefire does not pick them up: the names end in Samples). Each sleep carries the nonce from
 * the system property {@code corral.sample.sleep}, so the outer test can find it.
 */
final class LeakySamples {
  private LeakySamples() {}

  static String sleep() {
    return System.getProperty("corral.sample.sleep");
  }

  /**
   * Waits (up to 3 s) until the sleep runs as itself and no shell that carries its name is left:
   * polling, since nothing announces the end of a process that is not a child.
   */
  static void awaitDaemon() throws InterruptedException {
    long until = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < until) {
      String nonce = sleep().substring(sleep().indexOf(' ') + 1);
      java.util.List<ProcessHandle> named = ProcessHandle.allProcesses()
          .filter(h -> h.info().commandLine().orElse("").contains(nonce)).toList();
      if (named.size() == 1 && named.get(0).info().command().orElse("").endsWith("/sleep")) {
        return;
      }
      Thread.sleep(10);
    }
  }

  @ExtendWith(NoLeakedProcesses.class)
  static class Guarded {
    @Test
    void leaksAChild() throws Exception {
      new ProcessBuilder("sh", "-c", "exec " + sleep()).start();
    }

    @Test
    void leaksADoubleForkedDaemon() throws Exception {
      new ProcessBuilder("sh", "-c", "(setsid sh -c '" + sleep() + " > /dev/null 2>&1 &' &)")
          .start().waitFor();
      awaitDaemon(); // the test ends once the daemon is up, not while its parents still fork
    }

    @Test
    void cleansUpAfterItself() throws Exception {
      Process p = new ProcessBuilder("sh", "-c", "exec " + sleep()).start();
      p.destroy();
      p.waitFor();
    }

    @Test
    void usesCorralWhichContainsItsTree() {
      Command.of("sh", "-c", "sleep 60 & exit 0").run();
    }
  }

  static class ReportOnly {
    @RegisterExtension
    static NoLeakedProcesses guard = NoLeakedProcesses.reportOnly();

    @Test
    void leaksButPasses() throws Exception {
      new ProcessBuilder("sh", "-c", "exec " + sleep()).start();
    }
  }
}
