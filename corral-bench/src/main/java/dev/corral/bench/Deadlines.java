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
 * Deadline accuracy: {@code n} children of {@code sleep 60} alive at once, each with an 8 s
 * deadline, long enough that every child is started before the first deadline fires. Lateness is
 * the time from the deadline to the verified end of the child, as the caller sees it (Corral: the
 * result's duration; the peers: their blocking call with a deadline, one virtual thread each).
 */
final class Deadlines {
  private Deadlines() {}

  static final Duration DEADLINE = Duration.ofSeconds(8);

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

  /** A peer's own deadline call on one virtual thread per child. */
  static Lateness peer(Peers peer, int n) throws Exception {
    List<Double> late = java.util.Collections.synchronizedList(new ArrayList<>(n));
    List<Thread> callers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      callers.add(Thread.ofVirtual().start(() -> {
        long t0 = System.nanoTime();
        try {
          peer.runWithDeadline(List.of("sleep", "60"), DEADLINE);
        } catch (Exception e) {
          // a peer's own way of saying "timed out"
        }
        late.add((System.nanoTime() - t0 - DEADLINE.toNanos()) / 1e6);
      }));
    }
    for (Thread t : callers) {
      t.join();
    }
    return new Lateness(peer.name(), Harness.percentile(late, 0.5), Harness.percentile(late, 0.99));
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
