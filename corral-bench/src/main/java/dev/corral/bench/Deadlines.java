package dev.corral.bench;

import dev.corral.Command;
import dev.corral.Output;
import dev.corral.Result;
import dev.corral.Run;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Deadline accuracy: {@code n} children of {@code sleep 60} alive at once, each with a 1 s
 * deadline. Lateness is the time from the deadline to the verified end of the child, as the
 * caller sees it (Corral: the result's duration; ProcessBuilder: waitFor with a timeout on a
 * virtual thread each, then destroy and wait).
 */
final class Deadlines {
  private Deadlines() {}

  static final Duration DEADLINE = Duration.ofSeconds(1);

  record Lateness(String who, double p50Ms, double p99Ms) {}

  static Lateness corral(int n) {
    Command sleep = Command.of("sleep", "60").stdout(Output.discard()).stderr(Output.discard())
        .deadline(DEADLINE).grace(Duration.ofMillis(500));
    List<Run> runs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      runs.add(sleep.start());
    }
    List<Double> late = new ArrayList<>(n);
    for (Run r : runs) {
      Result res = r.await();
      late.add((res.duration().toNanos() - DEADLINE.toNanos()) / 1e6);
    }
    return new Lateness("Corral", Harness.percentile(late, 0.5), Harness.percentile(late, 0.99));
  }

  static Lateness processBuilder(int n) throws Exception {
    List<Double> late = java.util.Collections.synchronizedList(new ArrayList<>(n));
    List<Thread> waiters = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder("sleep", "60").redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      waiters.add(Thread.ofVirtual().start(() -> {
        try {
          if (!p.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroy();
            p.waitFor();
          }
          late.add((System.nanoTime() - t0 - DEADLINE.toNanos()) / 1e6);
        } catch (InterruptedException e) {
          p.destroyForcibly();
        }
      }));
    }
    for (Thread t : waiters) {
      t.join();
    }
    return new Lateness("ProcessBuilder", Harness.percentile(late, 0.5), Harness.percentile(late, 0.99));
  }
}
