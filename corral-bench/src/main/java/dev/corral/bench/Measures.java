package dev.corral.bench;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Output;
import dev.corral.Result;
import dev.corral.Run;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Measurements that JMH cannot take well: whole trees, live-children footprints. */
final class Measures {
  private Measures() {}

  /** A shell that starts {@code n - 1} sleepers, says "ready", then becomes the n-th. */
  static String tree(int n) {
    return "i=1; while [ $i -lt " + n + " ]; do sleep 600 & i=$((i+1)); done; echo ready; exec sleep 600";
  }

  record Teardown(int size, double corralKillMs, double corralTermMs, double referenceMs) {}

  /** Median time from the stop to a verified-empty tree, against cgroup.kill until "populated 0". */
  static Teardown teardown(int n, int reps, Path cgroupMount) throws Exception {
    List<Double> kill = new ArrayList<>();
    List<Double> term = new ArrayList<>();
    List<Double> ref = new ArrayList<>();
    // Warm-up rounds: the stop path runs rarely, and cold (interpreted) it is several times slower.
    for (int rep = 0; rep < 3; rep++) {
      corralStop(Math.min(n, 10), Duration.ZERO);
      corralStop(Math.min(n, 10), Duration.ofSeconds(5));
      if (cgroupMount != null) {
        referenceKill(Math.min(n, 10), cgroupMount); // the reference's Java side warms up too
      }
    }
    for (int rep = 0; rep < reps; rep++) {
      kill.add(corralStop(n, Duration.ZERO));
      term.add(corralStop(n, Duration.ofSeconds(5)));
      if (cgroupMount != null) {
        ref.add(referenceKill(n, cgroupMount));
      }
    }
    return new Teardown(n, Harness.median(kill), Harness.median(term),
        ref.isEmpty() ? Double.NaN : Harness.median(ref));
  }

  private static double corralStop(int n, Duration grace) throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(1);
    Run run = Command.of("/bin/sh", "-c", tree(n)).containment(Containment.CGROUP).grace(grace)
        .stdout(Output.lines(l -> ready.countDown())).start();
    if (!ready.await(60, TimeUnit.SECONDS)) {
      run.close();
      throw new IllegalStateException("tree of " + n + " not ready");
    }
    long t0 = System.nanoTime();
    run.cancel();
    Result r = run.await();
    long t1 = System.nanoTime();
    if (!r.teardown().clean()) {
      throw new IllegalStateException("survivors: " + r);
    }
    return (t1 - t0) / 1e6;
  }

  /** The physical reference: the same tree in a bare cgroup, ended by cgroup.kill. */
  private static double referenceKill(int n, Path mount) throws Exception {
    Path cg = mount.resolve("corral-bench-ref-" + ProcessHandle.current().pid());
    Files.createDirectory(cg);
    Process p = null;
    try {
      p = new ProcessBuilder("/bin/sh", "-c", "echo $$ > " + cg.resolve("cgroup.procs") + "; " + tree(n))
          .redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
      if (!"ready".equals(out.readLine())) {
        throw new IllegalStateException("reference tree not ready");
      }
      Path events = cg.resolve("cgroup.events");
      Path kill = cg.resolve("cgroup.kill");
      long t0 = System.nanoTime();
      Files.writeString(kill, "1");
      while (Files.readString(events).contains("populated 1")) {
        Thread.onSpinWait();
      }
      long t1 = System.nanoTime();
      p.waitFor();
      return (t1 - t0) / 1e6;
    } finally {
      if (p != null && p.isAlive()) {
        Files.writeString(cg.resolve("cgroup.kill"), "1");
        p.waitFor(10, TimeUnit.SECONDS);
      }
      for (int i = 0; i < 100 && Files.exists(cg); i++) {
        try {
          Files.delete(cg);
        } catch (IOException busy) {
          Thread.sleep(10);
        }
      }
    }
  }

  record Leaks(int fdsBefore, int fdsAfter, int threadsBefore, int threadsAfter) {}

  static Leaks leaks(int runs) {
    Command c = Command.of("sh", "-c", "echo out; echo err >&2");
    c.run();
    int fds = fds();
    int threads = Harness.threads();
    for (int i = 0; i < runs; i++) {
      c.run();
    }
    return new Leaks(fds, fds(), threads, Harness.threads());
  }

  private static int fds() {
    String[] f = new java.io.File("/proc/self/fd").list();
    return f == null ? -1 : f.length;
  }

  record Footprint(String who, int children, int threadsAdded, long heapAddedKb, long rssAddedKb,
      double cpuMs, double startMs, int liveThreads) {}

  /** Starts one child and returns what ends it. */
  interface Starter {
    AutoCloseable start() throws Exception;
  }

  static Footprint corralFootprint(int n) throws Exception {
    Command sleep = Command.of("sleep", "600").stdout(Output.discard()).stderr(Output.discard());
    return footprint("Corral", n, () -> {
      Run run = sleep.start();
      return run;
    });
  }

  /**
   * The portable tier's footprint, taken in a fresh JVM: the JDK's reaper threads form a cached pool
   * whose idle threads live 60 s, so in this JVM the portable runs would reuse those the peers'
   * children left, and the count would hide its own.
   */
  static Footprint portableFootprintAlone(int n) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String out = Harness.run(java, "--enable-native-access=ALL-UNNAMED", "-cp",
        System.getProperty("java.class.path"), Measures.class.getName(), Integer.toString(n));
    String[] lines = out.strip().split("\n");
    String[] f = lines[lines.length - 1].strip().split(" ");
    return new Footprint("Corral (portable)", n, Integer.parseInt(f[0]), Long.parseLong(f[1]),
        Long.parseLong(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]), Integer.parseInt(f[5]));
  }

  /**
   * {@code Measures N}: the portable tier's footprint for N children in this (fresh) JVM, printed as
   * one line: threads added, heap KiB, RSS KiB, CPU ms, start ms, live threads at the peak.
   */
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    Command sleep = Command.of("sleep", "600").containment(Containment.PORTABLE)
        .stdout(Output.discard()).stderr(Output.discard());
    Command warm = Command.of("/bin/true").containment(Containment.PORTABLE)
        .stdout(Output.discard()).stderr(Output.discard());
    for (int i = 0; i < Math.min(n, 300); i++) {
      warm.run(); // JIT warm-up; Corral's own threads start before the count, as in the report's JVM
    }
    Footprint f = footprint("Corral (portable)", n, sleep::start);
    System.out.println(f.threadsAdded() + " " + f.heapAddedKb() + " " + f.rssAddedKb() + " "
        + f.cpuMs() + " " + f.startMs() + " " + f.liveThreads());
  }

  static Footprint processBuilderFootprint(int n) throws Exception {
    ProcessBuilder sleep = new ProcessBuilder("sleep", "600")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
    return footprint("ProcessBuilder", n, () -> {
      Process p = sleep.start();
      return () -> {
        p.destroyForcibly();
        p.waitFor();
      };
    });
  }

  static Footprint peerFootprint(Peers peer, int n) throws Exception {
    List<String> sleep = List.of("sleep", "600");
    return footprint(peer.name(), n, () -> peer.start(sleep));
  }

  /** What {@code n} live children cost the JVM: threads, heap, RSS, CPU, and time to start them. */
  private static Footprint footprint(String who, int n, Starter starter) throws Exception {
    settle();
    int t0 = Harness.threads();
    long heap0 = usedHeapKb();
    long rss0 = Harness.statusKb("VmRSS");
    long cpu0 = cpuNanos();
    long s0 = System.nanoTime();
    List<AutoCloseable> children = new ArrayList<>(n);
    try {
      for (int i = 0; i < n; i++) {
        children.add(starter.start());
      }
      double startMs = (System.nanoTime() - s0) / 1e6;
      Thread.sleep(200); // ProcessBuilder starts its reaper threads asynchronously
      return new Footprint(who, n, Harness.threads() - t0, usedHeapKb() - heap0,
          Harness.statusKb("VmRSS") - rss0, (cpuNanos() - cpu0) / 1e6, startMs,
          ManagementFactory.getThreadMXBean().getThreadCount());
    } finally {
      for (AutoCloseable c : children) {
        c.close();
      }
    }
  }

  private static void settle() throws InterruptedException {
    System.gc();
    Thread.sleep(100);
  }

  private static long usedHeapKb() {
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) / 1024;
  }

  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }
}
