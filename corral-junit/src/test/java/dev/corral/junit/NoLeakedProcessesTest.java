package dev.corral.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Trees;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs {@link LeakySamples} through the JUnit launcher and reads how each test ended. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NoLeakedProcessesTest {
  private final Trees tree = new Trees();

  @AfterEach
  void cleanUp() {
    tree.cleanUp();
  }

  /** Each test's display name, with its failure message or "passed". */
  private Map<String, String> run(Class<?> samples) {
    System.setProperty("corral.sample.sleep", tree.sleep);
    Map<String, String> outcomes = new TreeMap<>();
    LauncherFactory.create().execute(request().selectors(selectClass(samples)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest()) {
              outcomes.put(id.getDisplayName(), result.getStatus() == TestExecutionResult.Status.SUCCESSFUL
                  ? "passed" : result.getThrowable().map(Throwable::getMessage).orElse("failed"));
            }
          }
        });
    return outcomes;
  }

  @Test
  void aTestThatLeaksFailsNamingTheProcessAndTheLeakIsEnded() {
    Map<String, String> outcomes = run(LeakySamples.Guarded.class);

    assertThat(outcomes.get("cleansUpAfterItself()")).isEqualTo("passed");
    assertThat(outcomes.get("usesCorralWhichContainsItsTree()")).isEqualTo("passed");
    assertThat(outcomes.get("leaksAChild()"))
        .startsWith("leaksAChild() leaked 1 process (ended):")
        .contains(tree.sleep, ", child, alive for ", "found by cgroup tracking, which cannot see:");
    assertThat(outcomes.get("leaksADoubleForkedDaemon()"))
        .contains(tree.sleep, "new session");
    assertThat(tree.alive()).as("the leaks were ended").isEmpty();
  }

  @Test
  void reportOnlyLetsTheTestPassAndLeavesTheProcessAlone() throws Exception {
    Map<String, String> outcomes = run(LeakySamples.ReportOnly.class);
    assertThat(outcomes.get("leaksButPasses()")).isEqualTo("passed");
    assertThat(tree.awaitAlive(1, 2000)).as("left running").hasSize(1);
  }
}
