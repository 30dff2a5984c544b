package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Resources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Many runs later, the JVM holds the same descriptors and threads as before. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class LeakTest {

  @Test
  void sequentialRunsLeakNothing() {
    Command.of("true").run(); // starts the service thread
    int fds = Resources.openDescriptors();
    int threads = Resources.liveThreads();
    for (int i = 0, n = Boolean.getBoolean("corral.soak") ? 10_000 : 300; i < n; i++) {
      Command c = switch (i % 3) {
        case 0 -> Command.of("sh", "-c", "echo out; echo err >&2");
        case 1 -> Command.of("cat").stdin(Input.text("in"));
        default -> Command.of("sleep", "5").deadline(Duration.ofMillis(5)).grace(Duration.ZERO);
      };
      c.run();
    }
    // At most the baseline: helper threads of earlier tests (JDK process reapers, JUnit timeouts)
    // may end meanwhile, but nothing of Corral's may remain.
    assertThat(Resources.openDescriptors()).isLessThanOrEqualTo(fds);
    assertThat(Resources.liveThreads()).isLessThanOrEqualTo(threads);
  }

  @Test
  void manyLiveChildrenAddAtMostFourThreads() {
    Command.of("true").run();
    int threads = Resources.liveThreads();
    List<Run> runs = new ArrayList<>();
    try {
      // 600 children of one thread: their list in /proc is longer than a page-sized read.
      for (int i = 0; i < 600; i++) {
        runs.add(Command.of("sleep", "30").start());
      }
      assertThat(Resources.liveThreads() - threads).isLessThanOrEqualTo(4);
    } finally {
      runs.forEach(Run::cancel);
      runs.forEach(Run::close);
    }
  }
}
