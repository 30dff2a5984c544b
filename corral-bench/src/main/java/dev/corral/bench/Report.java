package dev.corral.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every measurement side by side in one go and writes BENCHMARKS.md.
 *
 * <pre>java -cp ... dev.corral.bench.Report OUTPUT.md C_LOOP_BINARY [--quick]</pre>
 */
public final class Report {
  private Report() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    String cLoop = args[1];
    boolean quick = args.length > 2 && args[2].equals("--quick");
    Path mount = cgroupMount();
    StringBuilder md = new StringBuilder();
    List<String> unmet = new ArrayList<>();

    md.append("# Benchmarks\n\n")
        .append("Measured by `./bench` on ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE))
        .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, kernel ")
        .append(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim()).append(", JDK ")
        .append(Runtime.version()).append(quick ? ". **Quick smoke run: too short to quote.**" : ".")
        .append(" Every figure is a median from this one run; peers ran in the same run, one after"
            + " another. Absolute times drift on these shared machines, so read the ratios.\n\n");

    // 1. Spawn + wait.
    int cN = quick ? 300 : 3000;
    String c = Harness.run(cLoop, Integer.toString(cN));
    double cMedian = Double.parseDouble(c.replaceAll("(?s).*median_us=([0-9.]+).*", "$1"));
    Map<String, Double> spawn = jmhMedians("SpawnBench", quick, false);
    double pb = spawn.get("processBuilder");
    md.append("## Spawn and wait of /bin/true\n\n")
        .append("JMH sample mode, p50 per operation. The C reference is posix_spawn(SETSID) + waitpid in a loop"
            + " (`corral-bench/src/main/c/spawn_loop.c`, built by `./bench`), ").append(cN).append(" spawns.\n\n")
        .append("| who | p50 µs | × C | × ProcessBuilder |\n|---|---:|---:|---:|\n")
        .append(row("C posix_spawn + waitpid", cMedian, cMedian, pb));
    for (Map.Entry<String, Double> e : spawn.entrySet()) {
      md.append(row(e.getKey(), e.getValue(), cMedian, pb));
    }
    double cg = spawn.get("corralCgroup");
    double grp = spawn.get("corralProcessGroup");
    md.append("\n`corralCgroup` and `corralProcessGroup` discard output; `corralCaptured` captures both"
        + " streams (the default). The process-group mode is slower than the cgroup mode by ")
        .append(String.format(Locale.ROOT, "%.0f", grp - cg))
        .append(" µs: at the leader's exit it sweeps /proc for members that left its group, where the"
            + " cgroup mode reads one flag (\"populated\").\n\n");
    goal(unmet, "spawn + wait ≤ 1.15× C (cgroup mode)", cg / cMedian <= 1.15, fmt(cg / cMedian) + "×");
    goal(unmet, "spawn + wait ≤ 0.6× ProcessBuilder (cgroup mode)", cg / pb <= 0.6, fmt(cg / pb) + "×");

    // 2. Live children footprint.
    int n = quick ? 100 : 1000;
    Measures.Footprint cf = Measures.corralFootprint(n);
    Measures.Footprint pf = Measures.processBuilderFootprint(n);
    md.append("## ").append(n).append(" children alive at once\n\n")
        .append("Threads, heap and RSS added to the JVM while ").append(n)
        .append(" `sleep 600` children live; CPU and wall time to start them all.\n\n")
        .append("| who | threads added | heap added KiB | RSS added KiB | CPU ms | start ms |\n|---|---:|---:|---:|---:|---:|\n");
    for (Measures.Footprint f : List.of(cf, pf)) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.0f | %.0f |%n", f.who(),
          f.threadsAdded(), f.heapAddedKb(), f.rssAddedKb(), f.cpuMs(), f.startMs()));
    }
    md.append('\n');
    goal(unmet, "at most 4 threads added for " + n + " live children", cf.threadsAdded() <= 4,
        cf.threadsAdded() + " threads");

    // 2b. Leaks over many sequential runs.
    int runs = quick ? 500 : 10_000;
    Measures.Leaks leaks = Measures.leaks(runs);
    md.append("## ").append(runs).append(" sequential runs\n\n")
        .append("Open descriptors and threads of the JVM before and after (each run captures stdout and"
            + " stderr of `sh -c 'echo out; echo err >&2'`). The thread count includes ProcessBuilder's"
            + " idle reaper threads left from the section above; what matters is that it does not grow.\n\n")
        .append("| | descriptors | threads |\n|---|---:|---:|\n")
        .append("| before | ").append(leaks.fdsBefore()).append(" | ").append(leaks.threadsBefore()).append(" |\n")
        .append("| after | ").append(leaks.fdsAfter()).append(" | ").append(leaks.threadsAfter()).append(" |\n\n");
    goal(unmet, "no descriptor or thread leak over " + runs + " runs",
        leaks.fdsAfter() <= leaks.fdsBefore() && leaks.threadsAfter() <= leaks.threadsBefore(),
        (leaks.fdsAfter() - leaks.fdsBefore()) + " descriptors, " + (leaks.threadsAfter() - leaks.threadsBefore()) + " threads");

    // 3. Capture.
    Map<String, Double> cap = jmhMedians("CaptureBench", quick, true);
    double bytes = quick ? 64 << 20 : 1L << 30;
    md.append("## Capturing ").append(quick ? "64 MiB" : "1 GiB").append(" of stdout\n\n")
        .append("`head -c N /dev/zero`; Corral keeps at most 16 MiB (the rest is read and dropped, and the"
            + " result says it was truncated); ProcessBuilder's stream is read to the end. JMH single-shot,"
            + " median of the measured iterations.\n\n| who | ms | MiB/s |\n|---|---:|---:|\n");
    for (Map.Entry<String, Double> e : cap.entrySet()) {
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f |%n", e.getKey(), e.getValue(),
          bytes / (1 << 20) / (e.getValue() / 1000)));
    }
    double capRatio = cap.get("processBuilder") / cap.get("corral");
    md.append("\nCorral's throughput is ").append(fmt(capRatio)).append("× ProcessBuilder's.\n\n");
    goal(unmet, "capture throughput ≥ 1.0× ProcessBuilder", capRatio >= 1.0, fmt(capRatio) + "×");

    // 4. Teardown.
    md.append("## Teardown: from the stop to a verified-empty tree\n\n")
        .append("A shell starts N − 1 sleepers and becomes the N-th. Corral (cgroup mode) is cancelled"
            + " with grace 0 (cgroup.kill at once) and with a 5 s grace (SIGTERM to each member while"
            + " frozen, then the wait for the kernel's \"populated 0\"); the time runs from cancel() to"
            + " the result, which includes reaping and draining. The reference writes cgroup.kill on a bare"
            + " cgroup holding the same tree and polls cgroup.events until \"populated 0\".\n\n")
        .append("| processes | Corral, grace 0 ms | Corral, SIGTERM ms | cgroup.kill reference ms | grace 0 × reference |\n")
        .append("|---:|---:|---:|---:|---:|\n");
    int reps = quick ? 1 : 5;
    for (int size : quick ? new int[] {1, 100} : new int[] {1, 100, 1000}) {
      Measures.Teardown t = Measures.teardown(size, reps, mount);
      double ratio = t.corralKillMs() / t.referenceMs();
      md.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %s |%n", size,
          t.corralKillMs(), t.corralTermMs(), t.referenceMs(), fmt(ratio)));
      goal(unmet, "teardown of " + size + " ≤ 1.3× cgroup.kill", ratio <= 1.3, fmt(ratio) + "×");
    }
    md.append('\n');

    md.append("## Goals\n\n");
    for (String g : unmet) {
      md.append("- ").append(g).append('\n');
    }
    md.append("\nReproduce: `./bench` (about 5 minutes); `./bench --quick` is the smoke run CI can afford.\n");
    Files.writeString(out, md.toString());
    System.out.println(md);
  }

  private static String row(String who, double us, double c, double pb) {
    return String.format(Locale.ROOT, "| %s | %.0f | %s | %s |%n", who, us, fmt(us / c), fmt(us / pb));
  }

  private static String fmt(double x) {
    return String.format(Locale.ROOT, "%.2f", x);
  }

  private static void goal(List<String> lines, String goal, boolean met, String measured) {
    lines.add((met ? "met: " : "**NOT MET**: ") + goal + " (measured " + measured + ")");
  }

  /** Runs one JMH class and returns each benchmark's median (p50), in the benchmark's unit. */
  private static Map<String, Double> jmhMedians(String benchmark, boolean quick, boolean singleShot)
      throws Exception {
    ChainedOptionsBuilder o = new OptionsBuilder().include(benchmark).forks(1)
        .jvmArgsAppend("--enable-native-access=ALL-UNNAMED");
    if (singleShot) {
      o.warmupIterations(1).measurementIterations(quick ? 2 : 5);
      if (quick) {
        o.param("bytes", Long.toString(64L << 20));
      }
    } else {
      o.warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.seconds(quick ? 1 : 2))
          .measurementIterations(quick ? 1 : 3).measurementTime(TimeValue.seconds(quick ? 1 : 3));
    }
    Collection<RunResult> results = new Runner(o.build()).run();
    Map<String, Double> medians = new LinkedHashMap<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      medians.put(name.substring(name.lastIndexOf('.') + 1),
          r.getPrimaryResult().getStatistics().getPercentile(50));
    }
    return medians;
  }

  private static Path cgroupMount() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (dash > 0 && "cgroup2".equals(f[dash + 1])) {
        return Path.of(f[4]);
      }
    }
    return null;
  }
}
