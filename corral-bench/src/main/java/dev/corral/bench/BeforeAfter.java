package dev.corral.bench;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Output;
import dev.corral.Result;
import dev.corral.Run;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The same library measured before and after a change, side by side: child JVMs alternate between
 * two builds of corral-core (old then new, then new then old, and so on), each measuring the same
 * things through the API both builds share, so the machine's drift hits both alike. Run through {@code
 * bin/before-after OLD_COMMIT}.
 *
 * <p>Per round and build: spawn + wait of /bin/true in a cgroup (median µs), the same with
 * {@code echo hi} and its output captured, capturing 256 MiB
 * (ms), the teardown of a 100-process tree from the deadline to the verified end (ms), and the
 * lateness of 200 concurrent deadlines (p50 and p99 ms).
 */
public final class BeforeAfter {
  private BeforeAfter() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("measure")) {
      measure();
      return;
    }
    // compare OLD_CP NEW_CP ROUNDS
    String java = ProcessHandle.current().info().command().orElseThrow();
    String self = BeforeAfter.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    int rounds = Integer.parseInt(args[2]);
    Map<String, List<Double>> old = new LinkedHashMap<>();
    Map<String, List<Double>> now = new LinkedHashMap<>();
    for (int r = 0; r < rounds; r++) {
      for (int turn = 0; turn < 2; turn++) {
        int which = (r + turn) % 2; // the order flips each round: the second JVM of a pair can be favoured
        String cp = (which == 0 ? args[0] : args[1]) + File.pathSeparator + self;
        String out = Harness.run(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
            BeforeAfter.class.getName(), "measure");
        for (String kv : out.trim().split("\\s+")) {
          String[] p = kv.split("=");
          (which == 0 ? old : now).computeIfAbsent(p[0], k -> new ArrayList<>())
              .add(Double.parseDouble(p[1]));
        }
      }
      System.err.println("round " + (r + 1) + " of " + rounds + " done");
    }
    System.out.println("| measure | before (median of " + rounds + " rounds) | after | after/before"
        + " | after/before, median of rounds | before, range | after, range |");
    System.out.println("|---|---:|---:|---:|---:|---|---|");
    for (String k : old.keySet()) {
      List<Double> b = old.get(k);
      List<Double> a = now.get(k);
      List<Double> paired = new ArrayList<>();
      for (int i = 0; i < b.size(); i++) {
        paired.add(a.get(i) / b.get(i));
      }
      System.out.printf("| %s | %.1f | %.1f | %.2f× | %.2f× | %.1f-%.1f | %.1f-%.1f |%n", k, Harness.median(b),
          Harness.median(a), Harness.median(a) / Harness.median(b), Harness.median(paired), min(b), max(b),
          min(a), max(a));
    }
  }

  private static double min(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static void measure() throws Exception {
    Command t = Command.of("/bin/true").stdout(Output.discard()).stderr(Output.discard())
        .containment(Containment.CGROUP);
    Command captured = Command.of("/bin/echo", "hi").containment(Containment.CGROUP);
    for (int i = 0; i < 2000; i++) {
      t.run(); // JIT warm-up
      captured.run();
    }
    List<Double> spawn = new ArrayList<>();
    List<Double> spawnCaptured = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      long s = System.nanoTime();
      t.run();
      spawn.add((System.nanoTime() - s) / 1e3);
      s = System.nanoTime();
      captured.run();
      spawnCaptured.add((System.nanoTime() - s) / 1e3);
    }
    long s = System.nanoTime();
    Result cap = Command.of("head", "-c", Integer.toString(256 << 20), "/dev/zero")
        .stdout(Output.capture(300L << 20)).run();
    double captureMs = (System.nanoTime() - s) / 1e6;
    if (cap.stdout().length != 256 << 20) {
      throw new IllegalStateException("captured " + cap.stdout().length);
    }
    List<Double> teardown = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Result r = Command.of("sh", "-c", "for i in $(seq 99); do sleep 60 & done; exec sleep 60")
          .stdout(Output.discard()).deadline(Duration.ofMillis(500)).grace(Duration.ofSeconds(2))
          .run();
      teardown.add((r.duration().toNanos() - 500_000_000L) / 1e6);
    }
    Command sleep = Command.of("sleep", "60").stdout(Output.discard()).stderr(Output.discard())
        .deadline(Duration.ofSeconds(2)).grace(Duration.ofMillis(500));
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      runs.add(sleep.start());
    }
    List<Double> late = new ArrayList<>();
    for (Run r : runs) {
      late.add((r.await().duration().toNanos() - 2_000_000_000L) / 1e6);
    }
    System.out.printf("spawn_us=%.1f spawn_echo_captured_us=%.1f capture_256MiB_ms=%.1f"
        + " teardown_100_ms=%.1f deadline200_p50_ms=%.2f deadline200_p99_ms=%.2f%n",
        Harness.median(spawn), Harness.median(spawnCaptured), captureMs,
        Harness.median(teardown), Harness.percentile(late, 0.5), Harness.percentile(late, 0.99));
  }
}
