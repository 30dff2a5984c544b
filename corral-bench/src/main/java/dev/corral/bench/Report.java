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
 * <pre>java -cp ... dev.corral.bench.Report OUTPUT.md C_LOOP_BINARY REPO_ROOT [--quick]</pre>
 */
public final class Report {
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    String cLoop = args[1];
    Path root = Path.of(args[2]);
    boolean quick = args.length > 3 && args[3].equals("--quick");
    Report r = new Report(quick, root.toString());
    r.header();
    r.spawn(cLoop);
    r.treeDeadline();
    r.footprint();
    r.leaks();
    r.capture();
    r.teardown();
    r.cli(root);
    r.deadlines();
    Load.section(r.md, r.chart, r::goal, quick);
    r.md.append("## Goals\n\n");
    for (String g : r.goals) {
      r.md.append("- ").append(g).append('\n');
    }
    r.md.append("\nReproduce: `./bench` (about 20 minutes); `./bench --quick` is the smoke run that"
        + " `.ci/run` runs after the tests. Chart: [benchmarks.png](benchmarks.png).\n");
    Files.writeString(out, r.md.toString());
    try {
      r.chart.write(out.resolveSibling("benchmarks.png"));
    } catch (Exception | Error e) {
      System.err.println("no chart (no fonts for Java2D here?): " + e);
    }
    System.out.println(r.md);
  }

  private final boolean quick;
  private final StringBuilder md = new StringBuilder();
  private final List<String> goals = new ArrayList<>();
  private final Chart chart = new Chart();

  private final String root;

  private Report(boolean quick, String root) {
    this.quick = quick;
    this.root = root;
  }

  private void header() throws Exception {
    md.append("# Benchmarks\n\n")
        .append("Measured by `./bench` on ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE))
        .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, kernel ")
        .append(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim()).append(", JDK ")
        .append(Runtime.version()).append(quick ? ". **Quick smoke run: too short to quote.**" : ".")
        .append(" Every figure is a median from this one run; peers ran in the same run, one after"
            + " another: JDK ProcessBuilder, zt-exec 1.12, Commons Exec 1.5.0, NuProcess 3.0.0,"
            + " coreutils `timeout` and a C posix_spawn loop as the physical reference. Absolute times"
            + " drift on these shared machines, so read the ratios.\n\n");
  }

  private void spawn(String cLoop) throws Exception {
    int cN = quick ? 300 : 3000;
    String c = Harness.run(cLoop, Integer.toString(cN));
    double cMedian = Double.parseDouble(c.replaceAll("(?s).*median_us=([0-9.]+).*", "$1"));
    Map<String, Double> spawn = jmhMedians("SpawnBench", false);
    double pb = spawn.get("processBuilder");
    double bestPeer = spawn.entrySet().stream().filter(e -> !e.getKey().startsWith("corral"))
        .mapToDouble(Map.Entry::getValue).min().orElse(Double.NaN);
    md.append("## 1. Spawn and wait of /bin/true\n\n")
        .append("JMH sample mode, p50 per operation; \"Captured\" variants read stdout (and stderr"
            + " where the library does), the others discard it. The C reference is posix_spawn(SETSID)"
            + " + waitpid in a loop (`corral-bench/src/main/c/spawn_loop.c`, built by `./bench`), ")
        .append(cN).append(" spawns.\n\n")
        .append("| who | p50 µs | × C | × ProcessBuilder | × best peer |\n|---|---:|---:|---:|---:|\n")
        .append(row("C posix_spawn + waitpid", cMedian, cMedian, pb, bestPeer));
    Map<String, Double> bars = new LinkedHashMap<>();
    bars.put("C posix_spawn + waitpid", cMedian);
    for (Map.Entry<String, Double> e : spawn.entrySet()) {
      md.append(row(e.getKey(), e.getValue(), cMedian, pb, bestPeer));
      bars.put(e.getKey().startsWith("corral") ? "Corral " + e.getKey().substring(6) : e.getKey(), e.getValue());
    }
    chart.panel("1. spawn + wait of /bin/true, p50 (shorter is better)", bars, "µs");
    double cg = spawn.get("corralCgroup");
    md.append("\n`corralCgroup`, `corralProcessGroup` and `corralPortable` discard output;"
        + " `corralCaptured` captures both streams (the default). `corralPortable` is the JDK-only"
        + " tier (`Containment.PORTABLE`): ProcessBuilder starts the child, and snapshots of the"
        + " process table find its tree. Best peer: the fastest non-Corral row.\n\n"
        + "Where cgroup mode's extra time goes, measured with timestamps on 2026-11-25 (not in this run):"
        + " a JVM's own raw posix_spawn + waitpid loop through FFM takes 1.0-1.1× the C loop, and"
        + " process-group mode's posix_spawn call costs what a raw one does in the same JVM. The cgroup"
        + " gate adds about 80 µs to the call: the kernel's move into the cgroup is 15 µs (a loop of"
        + " cgroup.procs writes), and the gate thread, which spins while it looks for the child, shares"
        + " the 2 CPUs with it (pinned apart, the call is 60 µs shorter; pinning is not a library's to"
        + " impose). The child rarely waits at the gate (2% of spawns): the placement is done before it"
        + " gets there. On glibc 2.39 or later, posix_spawnattr_setcgroup_np lets the kernel place the"
        + " child in clone3 and none of this is paid; these machines have glibc 2.36."
        + " ProcessBuilder's own median moves between runs (1250-1680 µs), and the × ProcessBuilder"
        + " column with it.\n\n");
    Paired.Rounds p = Paired.spawn(cLoop, quick ? 3 : 9, quick ? 200 : 1000);
    md.append("### Paired rounds\n\nThe table above takes its C reference minutes apart from each JMH"
        + " row, and this machine's speed drifts by tens of percent over minutes (the C loop alone has"
        + " measured 510-700 µs today). So the goals use rounds instead: ")
        .append(quick ? 3 : 9).append(" rounds of ").append(quick ? 200 : 1000)
        .append(" spawns each of Corral (cgroup mode, output discarded) and ProcessBuilder in one JVM,"
            + " each round against the C loop run just before and just after it; medians over rounds.\n\n"
            + "| | µs (median round) | Corral × this (median of rounds) |\n|---|---:|---:|\n")
        .append(String.format(Locale.ROOT, "| C posix_spawn + waitpid | %.0f | %.2f |%n", p.cUs(), p.vsC()))
        .append(String.format(Locale.ROOT, "| ProcessBuilder | %.0f | %.2f |%n", p.processBuilderUs(), p.vsProcessBuilder()))
        .append(String.format(Locale.ROOT, "| Corral | %.0f | |%n", p.corralUs()))
        .append("\nRatios to C by round: ")
        .append(p.ratiosToC().stream().map(r -> fmt(r)).collect(java.util.stream.Collectors.joining(", ")))
        .append(".\n\n");
    goal("spawn + wait ≤ 1.15× C (cgroup mode, paired rounds)", p.vsC() <= 1.15, fmt(p.vsC()) + "×");
    goal("spawn + wait ≤ 0.6× ProcessBuilder (cgroup mode, paired rounds)", p.vsProcessBuilder() <= 0.6,
        fmt(p.vsProcessBuilder()) + "×");
    debian13(cLoop);
  }

  /**
   * The same paired rounds in a Debian 13 root (glibc 2.41), where children are spawned straight
   * into their cgroup: bin/debian13 builds it once, or says it cannot.
   */
  private void debian13(String cLoop) throws Exception {
    int rounds = quick ? 3 : 9;
    int n = quick ? 200 : 1000;
    Path bench = Path.of(root, "corral-bench", "target");
    String cp = Path.of(root).relativize(bench.resolve("corral-bench-0.1.0-SNAPSHOT.jar")) + ":"
        + Path.of(root).relativize(bench.resolve("lib")) + "/*";
    Process p = new ProcessBuilder(root + "/bin/debian13", "java", "--enable-native-access=ALL-UNNAMED",
        "-cp", cp, "dev.corral.bench.Paired", "/checkout/" + Path.of(root).relativize(Path.of(cLoop).toAbsolutePath()),
        Integer.toString(rounds), Integer.toString(n)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    int rc = p.waitFor();
    md.append("### Paired rounds in a Debian 13 root (glibc 2.41: kernel placement)\n\n");
    if (rc != 0 || !out.contains("vsC=")) {
      md.append("Not measured: ").append(out.lines().reduce((a, b) -> b).orElse("exit " + rc))
          .append("\n\n");
      return;
    }
    Map<String, String> kv = new LinkedHashMap<>();
    for (String field : out.lines().reduce((a, b) -> b).orElseThrow().split(" ")) {
      kv.put(field.substring(0, field.indexOf('=')), field.substring(field.indexOf('=') + 1));
    }
    double vsC = Double.parseDouble(kv.get("vsC"));
    double vsPb = Double.parseDouble(kv.get("vsPb"));
    md.append("The rounds above, run again inside `bin/debian13`'s root on the same kernel: the JDK,"
        + " the C loop and Corral all use glibc 2.41 there, so Corral spawns with pidfd_spawn straight"
        + " into the run's cgroup (placement ").append(kv.get("placement")).append("), with no gate.\n\n")
        .append("| | µs (median round) | Corral × this (median of rounds) |\n|---|---:|---:|\n")
        .append(String.format(Locale.ROOT, "| C posix_spawn + waitpid | %.0f | %.2f |%n",
            Double.parseDouble(kv.get("c")), vsC))
        .append(String.format(Locale.ROOT, "| ProcessBuilder | %.0f | %.2f |%n",
            Double.parseDouble(kv.get("pb")), vsPb))
        .append(String.format(Locale.ROOT, "| Corral | %.0f | |%n", Double.parseDouble(kv.get("corral"))))
        .append("\nRatios to C by round: ").append(kv.get("ratios").replace(",", ", ")).append(".\n\n")
        .append("Where the time goes there, measured with timestamps in the JVM on 2026-12-03 (not in this"
            + " run), at steady state, for `run()` of /bin/true with its output discarded: 11 µs of Java"
            + " up to pidfd_spawn, 123 µs in pidfd_spawn, 2 µs for the pid (one PIDFD_GET_INFO ioctl),"
            + " 4 µs to the wait, the wait for the exit, then 20 µs to finish on the caller's thread: 2"
            + " to read the exit status, 5 to read cgroup.events (the tree is verified empty), 8 to reap"
            + " and close the pidfd, 2 to give the cgroup back, 2 to build the result. Since that day a"
            + " `run()` on a platform thread whose command ends alone within 10 ms is finished there and"
            + " never reaches the service thread. Before, the exit woke the service thread too and the"
            + " caller waited for its verdict: 21 µs of work, but about 100 µs on these 2 CPUs, which"
            + " was the gap to C. Part of what remains is the child's: a C loop that spawns the way"
            + " Corral does (every signal disposition reset, 0-2 on /dev/null, everything above closed,"
            + " into a cgroup) took 117-143 µs in its posix_spawn against the reference's 86-96 µs, in"
            + " the two quiet rounds of one run.\n\n");
    goal("spawn + wait ≤ 1.10× C on glibc 2.41 (kernel placement, paired rounds)", vsC <= 1.10,
        fmt(vsC) + "×");
    goal("spawn + wait ≤ 0.5× ProcessBuilder on glibc 2.41", vsPb <= 0.5, fmt(vsPb) + "×");
  }

  private void treeDeadline() throws Exception {
    List<TreeDeadline.Outcome> outcomes = TreeDeadline.all(quick ? 1 : 5);
    md.append("## 2. A 100 ms deadline on `sh -c 'sleep 60 & setsid sleep 60 & sleep 60'`\n\n")
        .append("Output captured, as a test harness would. \"Returns\" is the time until the library's call"
            + " comes back; a call still blocked after ").append(TreeDeadline.CAP_MS)
        .append(" ms is hung on a pipe that an orphan holds, and is released by ending the orphans."
            + " \"Orphans\" counts the tree's processes alive when the call returned (or at the cap);"
            + " the benchmark then ends them by pid. Corral (portable) knows the tree from snapshots"
            + " (every 50 ms, and one more at the stop): it ends what a snapshot saw.\n\n")
        .append("| who | returns ms (median) | hung | orphans |\n|---|---:|---|---:|\n");
    Map<String, Double> bars = new LinkedHashMap<>();
    for (TreeDeadline.Outcome o : outcomes) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d |%n", o.who(),
          o.hung() ? "> " + TreeDeadline.CAP_MS : String.format(Locale.ROOT, "%.0f", o.returnMs()),
          o.hung() ? "**yes**" : "no", o.orphans()));
      bars.put(o.who() + (o.hung() ? ", hung" : "") + ", " + o.orphans() + " orphans", o.returnMs());
      if (o.who().equals("Corral")) {
        goal("no orphans after a deadline", o.orphans() == 0, o.orphans() + " orphans");
      }
    }
    md.append('\n');
    chart.panel("2. 100 ms deadline on a 3-process tree: time until the call returns", bars, "ms");
  }

  private void footprint() throws Exception {
    int n = quick ? 100 : 1000;
    List<Measures.Footprint> fs = new ArrayList<>();
    fs.add(Measures.corralFootprint(n));
    fs.add(Measures.portableFootprintAlone(n));
    fs.add(Measures.processBuilderFootprint(n));
    for (Peers p : Peers.ALL.subList(2, Peers.ALL.size())) {
      fs.add(Measures.peerFootprint(p, n));
    }
    md.append("## 3. ").append(n).append(" children alive at once\n\n")
        .append("Threads, heap and RSS added to the JVM while ").append(n)
        .append(" `sleep 600` children live; CPU and wall time to start them all.\n\n")
        .append("| who | threads added | heap added KiB | RSS added KiB | CPU ms | start ms |\n|---|---:|---:|---:|---:|---:|\n");
    Map<String, Double> bars = new LinkedHashMap<>();
    for (Measures.Footprint f : fs) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.0f | %.0f |%n", f.who(),
          f.threadsAdded(), f.heapAddedKb(), f.rssAddedKb(), f.cpuMs(), f.startMs()));
      bars.put(f.who(), (double) f.threadsAdded());
    }
    Measures.Footprint portable = fs.get(1);
    md.append("\nCorral (portable) is the JDK-only tier: a virtual thread per run waits for the leader,"
        + " and the JDK adds a platform thread of its own (\"process reaper\") per live child. It is"
        + " measured alone in a fresh JVM, after ").append(Math.min(n, 300))
        .append(" warm-up runs: the JDK's reaper threads are a cached pool whose idle threads live"
            + " 60 s, so in this JVM it would reuse the reapers the other rows left and its count"
            + " would hide its own. At its peak that JVM had ").append(portable.liveThreads())
        .append(" live platform threads (ThreadMXBean; virtual threads are not among them).\n\n");
    chart.panel("3. threads added for " + n + " live children", bars, "threads");
    goal("at most 4 threads added for " + n + " live children", fs.get(0).threadsAdded() <= 4,
        fs.get(0).threadsAdded() + " threads");
  }

  private void leaks() {
    int runs = quick ? 500 : 10_000;
    Measures.Leaks leaks = Measures.leaks(runs);
    md.append("## 3b. ").append(runs).append(" sequential runs\n\n")
        .append("Open descriptors and threads of the JVM before and after (each run captures stdout and"
            + " stderr of `sh -c 'echo out; echo err >&2'`). The thread count includes idle threads the"
            + " peers left from the section above; what matters is that it does not grow.\n\n")
        .append("| | descriptors | threads |\n|---|---:|---:|\n")
        .append("| before | ").append(leaks.fdsBefore()).append(" | ").append(leaks.threadsBefore()).append(" |\n")
        .append("| after | ").append(leaks.fdsAfter()).append(" | ").append(leaks.threadsAfter()).append(" |\n\n");
    goal("no descriptor or thread leak over " + runs + " runs",
        leaks.fdsAfter() <= leaks.fdsBefore() && leaks.threadsAfter() <= leaks.threadsBefore(),
        (leaks.fdsAfter() - leaks.fdsBefore()) + " descriptors, " + (leaks.threadsAfter() - leaks.threadsBefore()) + " threads");
  }

  private void capture() throws Exception {
    Map<String, Double> cap = jmhMedians("CaptureBench", true);
    double bytes = quick ? 64 << 20 : 1L << 30;
    md.append("## 4. Capturing ").append(quick ? "64 MiB" : "1 GiB").append(" of stdout\n\n")
        .append("`head -c N /dev/zero`; Corral keeps at most 16 MiB (the rest is read and dropped, and the"
            + " result says it was truncated); each peer's stream is read to the end into a counter that"
            + " keeps nothing. JMH single-shot, median of the measured iterations. Peak memory: Corral's"
            + " is bounded by its capture limit; the peers here keep nothing by construction.\n\n"
            + "| who | ms | MiB/s |\n|---|---:|---:|\n");
    Map<String, Double> bars = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : cap.entrySet()) {
      double mibs = bytes / (1 << 20) / (e.getValue() / 1000);
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f |%n", e.getKey(), e.getValue(), mibs));
      bars.put(e.getKey().equals("corral") ? "Corral" : e.getKey(), mibs);
    }
    md.append("\nPeak memory of the same capture, each in a fresh JVM (VmHWM, minus a JVM that captures"
        + " nothing). Corral's does not grow with the output: it is bounded by its 16 MiB limit (the"
        + " buffer grows by doubling, and the result hands out a copy).\n\n| who | peak RSS added MiB |\n|---|---:|\n");
    long base = peakKb("none", (long) bytes);
    md.append(String.format(Locale.ROOT, "| Corral capturing 1 byte (its own code, FFM, threads) | %.0f |%n",
        (peakKb("Corral", 1) - base) / 1024.0));
    for (Peers p : Peers.ALL) {
      md.append(String.format(Locale.ROOT, "| %s | %.0f |%n", p.name(), (peakKb(p.name(), (long) bytes) - base) / 1024.0));
    }
    double best = cap.entrySet().stream().filter(e -> !e.getKey().equals("corral"))
        .mapToDouble(Map.Entry::getValue).min().orElse(Double.NaN);
    md.append("\nIn this table Corral's throughput is ").append(fmt(cap.get("processBuilder") / cap.get("corral")))
        .append("× ProcessBuilder's and ").append(fmt(best / cap.get("corral"))).append("× the best peer's.\n\n");
    CapturePaired.Rounds p = CapturePaired.run((long) bytes, quick ? 3 : 15);
    md.append("### Paired rounds\n\nJMH runs each library's iterations for minutes on its own, and this"
            + " machine's speed drifts more than the difference between them over that time. So the goal"
            + " uses rounds instead: Corral and ProcessBuilder capture the same output one right after the"
            + " other, in an order that flips each round; the ratio is ProcessBuilder's time over Corral's"
            + " (throughput), median over rounds.\n\n| | ms (median) |\n|---|---:|\n")
        .append(String.format(Locale.ROOT, "| ProcessBuilder | %.0f |%n| Corral | %.0f |%n%n",
            p.processBuilderMs(), p.corralMs()))
        .append("Corral's throughput: ").append(fmt(p.throughputVsPb())).append("× ProcessBuilder's. Ratios by round: ")
        .append(p.ratios().stream().map(Report::fmt).collect(java.util.stream.Collectors.joining(", ")))
        .append(".\n\n");
    chart.panel("4. capture throughput (longer is better)", bars, "MiB/s");
    goal("capture throughput ≥ 1.0× ProcessBuilder (paired rounds)", p.throughputVsPb() >= 1.0,
        fmt(p.throughputVsPb()) + "×");
  }

  /** VmHWM in KiB of a fresh JVM that captures {@code bytes} with {@code who}. */
  private static long peakKb(String who, long bytes) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String out = Harness.run(java, "--enable-native-access=ALL-UNNAMED", "-cp",
        System.getProperty("java.class.path"), CapturePeak.class.getName(), who, Long.toString(bytes));
    String[] lines = out.strip().split("\n");
    return Long.parseLong(lines[lines.length - 1].strip());
  }

  private void teardown() throws Exception {
    Path mount = cgroupMount();
    md.append("## 5. Teardown: from the stop to a verified-empty tree\n\n")
        .append("A shell starts N − 1 sleepers and becomes the N-th. Corral (cgroup mode) is cancelled"
            + " with grace 0 (cgroup.kill at once) and with a 5 s grace (SIGTERM to each member while"
            + " frozen, then the wait for the kernel's \"populated 0\"); the time runs from cancel() to"
            + " the result, which includes reaping and draining. The reference writes cgroup.kill on a bare"
            + " cgroup holding the same tree and polls cgroup.events until \"populated 0\". The peers have"
            + " no way to end a tree, so they have no row here (section 2 shows what they leave).\n\n")
        .append("| processes | Corral, grace 0 ms | Corral, SIGTERM ms | cgroup.kill reference ms | grace 0 × reference |\n")
        .append("|---:|---:|---:|---:|---:|\n");
    int reps = quick ? 1 : 5;
    for (int size : quick ? new int[] {1, 100} : new int[] {1, 100, 1000}) {
      Measures.Teardown t = Measures.teardown(size, reps, mount);
      double ratio = t.corralKillMs() / t.referenceMs();
      md.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %s |%n", size,
          t.corralKillMs(), t.corralTermMs(), t.referenceMs(), fmt(ratio)));
      goal("teardown of " + size + " ≤ 1.3× cgroup.kill", ratio <= 1.3, fmt(ratio) + "×");
    }
    md.append('\n');
  }

  private void cli(Path root) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Map<String, List<String>> commands = new LinkedHashMap<>();
    commands.put("corral run 5 true", List.of(root.resolve("corral").toString(), "run", "5", "true"));
    // As from a make recipe: the jobserver's two descriptors open (sh execs corral with them).
    commands.put("corral run 5 true, caller holding descriptors 3 and 4", List.of("sh", "-c",
        "exec \"$0\" run 5 true 3</dev/null 4</dev/null", root.resolve("corral").toString()));
    commands.put("corral run 5 true, not pre-forked", List.of("env", "CORRAL_PREFORK=0",
        root.resolve("corral").toString(), "run", "5", "true"));
    commands.put("timeout 5 true (coreutils)", List.of("timeout", "5", "true"));
    commands.put("java Hello (same JDK)", List.of(java, "-cp",
        root.resolve("corral-bench/target/hello").toString(), "Hello"));
    Map<String, Double> ms = CliStartup.medians(commands, quick ? 5 : 30);
    double hello = ms.get("java Hello (same JDK)");
    double corral = ms.get("corral run 5 true");
    double withFds = ms.get("corral run 5 true, caller holding descriptors 3 and 4");
    md.append("## 6. The CLI as a whole process\n\n")
        .append("Wall time from fork to exit, ").append(quick ? 5 : 30)
        .append(" rounds interleaved, median. `./corral` is the launcher script (its staleness check"
            + " included), with the AOT cache it builds on first use.\n\n")
        .append("| command | ms | × java Hello |\n|---|---:|---:|\n");
    for (Map.Entry<String, Double> e : ms.entrySet()) {
      md.append(String.format(Locale.ROOT, "| %s | %.1f | %s |%n", e.getKey(), e.getValue(), fmt(e.getValue() / hello)));
    }
    md.append("\nHow: while the JVM starts, the launcher has already forked the command's process"
        + " (the slot, which moves itself into its run cgroup and waits on a FIFO) and the watchdog;"
        + " the JVM parses the arguments, tells the slot to exec the command through `setsid env`,"
        + " learns its exact wait status from the zombie's /proc stat and checks the cgroup is"
        + " empty, all without a native call, then halts. Measured once with timestamps, on a run"
        + " of about 50 ms: launcher 6 ms, JVM start to main 25-30 ms, main to the command's exec"
        + " 8-10 ms (interpreted Java: arguments, the cgroup probe), the command and its exit 4-5 ms,"
        + " exit 1 ms. A caller's own descriptors (make's jobserver, bash's process substitution)"
        + " stay with the slot on their numbers. \"Not pre-forked\" is the path for callers with a"
        + " blocked signal, or holding more than two of descriptors 3 to 9: the JDK's FFM set-up"
        + " alone costs about 28 ms for"
        + " `Linker.nativeLinker()` and 25 ms to link the first downcall, then a spawn through the"
        + " cgroup gate, whose first move into a cgroup waits out an RCU grace period (10-20 ms).\n\n");
    chart.panel("6. CLI start to exit (shorter is better)", ms, "ms");
    goal("CLI `corral run 5 true` ≤ 2× a JVM hello", corral / hello <= 2.0, fmt(corral / hello) + "×");
    goal("CLI `corral run 5 true` from a caller holding descriptors ≤ 2× a JVM hello",
        withFds / hello <= 2.0, fmt(withFds / hello) + "×");
  }

  private void deadlines() throws Exception {
    int n = quick ? 100 : 1000;
    List<Deadlines.Lateness> late = new ArrayList<>(List.of(Deadlines.corral(n), Deadlines.processBuilder(n)));
    for (Peers p : Peers.ALL.subList(2, Peers.ALL.size())) {
      late.add(Deadlines.peer(p, n));
    }
    md.append("## 7. Deadline accuracy: ").append(n).append(" concurrent deadlines\n\n")
        .append(n).append(" children of `sleep 60` alive at once, each with an 8 s deadline, so that all"
            + " are started before the first one fires. Lateness runs from the deadline to the moment"
            + " the caller holds the verified end of the child (ProcessBuilder: waitFor with a timeout"
            + " on one virtual thread per child, then destroy and wait; the other peers: their own"
            + " deadline call, one virtual thread per child).\n\n| who | p50 ms | p99 ms |\n|---|---:|---:|\n");
    Map<String, Double> bars = new LinkedHashMap<>();
    for (Deadlines.Lateness l : late) {
      md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f |%n", l.who(), l.p50Ms(), l.p99Ms()));
      bars.put(l.who() + " p99", l.p99Ms());
    }
    md.append('\n');
    chart.panel("7. deadline lateness, p99 of " + n + " concurrent (shorter is better)", bars, "ms");
    goal("p99 deadline lateness ≤ 10 ms", late.get(0).p99Ms() <= 10, fmt(late.get(0).p99Ms()) + " ms");
  }

  private static String row(String who, double us, double c, double pb, double best) {
    return String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %s |%n", who, us, fmt(us / c), fmt(us / pb), fmt(us / best));
  }

  private static String fmt(double x) {
    return String.format(Locale.ROOT, "%.2f", x);
  }

  private void goal(String goal, boolean met, String measured) {
    goals.add((met ? "met: " : "**NOT MET**: ") + goal + " (measured " + measured + ")");
  }

  /** Runs one JMH class and returns each benchmark's median (p50), in the benchmark's unit. */
  private Map<String, Double> jmhMedians(String benchmark, boolean singleShot)
      throws Exception {
    ChainedOptionsBuilder o = new OptionsBuilder().include(benchmark).forks(1)
        .jvmArgsAppend("--enable-native-access=ALL-UNNAMED");
    if (singleShot) {
      o.warmupIterations(1).measurementIterations(quick ? 2 : 10);
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
