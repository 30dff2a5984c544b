package dev.corral.bench;

import dev.corral.ProcessWatch;
import dev.corral.internal.SnapshotWatch;
import java.util.ArrayList;
import java.util.List;

/**
 * What the JUnit guard adds to each test: a {@link ProcessWatch} started, asked for leaks and
 * closed, with nothing leaked, by cgroup membership (the JVM moves in and out) and by snapshots
 * of descendants. Medians in µs: {@code GuardOverhead [N]}.
 */
public final class GuardOverhead {
  private GuardOverhead() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    String method;
    try (ProcessWatch w = ProcessWatch.start()) {
      method = w.method();
    }
    for (int round = 0; round < 2; round++) { // the first round warms up
      List<Double> cgroup = new ArrayList<>();
      List<Double> descendants = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        try (ProcessWatch w = ProcessWatch.start()) {
          w.leaked();
        }
        cgroup.add((System.nanoTime() - s) / 1e3);
        s = System.nanoTime();
        try (SnapshotWatch w = new SnapshotWatch()) {
          w.alive();
        }
        descendants.add((System.nanoTime() - s) / 1e3);
      }
      if (round == 1) {
        System.out.printf("per test, median of %d: %s %.0f µs (p90 %.0f), descendants %.0f µs (p90 %.0f)%n",
            n, method, Harness.median(cgroup), Harness.percentile(cgroup, 0.9),
            Harness.median(descendants), Harness.percentile(descendants, 0.9));
      }
    }
  }
}
