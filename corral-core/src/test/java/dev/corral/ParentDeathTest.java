package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.corral.internal.Platform;
import dev.corral.testing.Cgroups;
import dev.corral.testing.NoLeftovers;
import dev.corral.testing.TreeHolder;
import dev.corral.testing.Trees;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A JVM killed with SIGKILL leaves nothing running, and its cgroups are cleaned up. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParentDeathTest {
  private final Trees tree = new Trees();
  private final List<Process> jvms = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    jvms.forEach(Process::destroyForcibly);
    tree.cleanUp();
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void killingTheJvmEndsEveryTreeWithinOneSecond(Containment containment) throws Exception {
    if (containment == Containment.CGROUP) {
      assumeTrue(Platform.get().capability(Containment.CGROUP).available());
    }
    Process jvm = java(TreeHolder.class.getName(), containment.name(), tree.sleep);
    BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
    assertThat(out.readLine()).isEqualTo("started");
    while (tree.alive().size() < 4) {
      Thread.onSpinWait();
    }
    long tookMillis = killAndAwaitTheTree(jvm, 5_000); // SIGKILL: no shutdown hook runs
    System.out.println("parent death (" + containment + "): tree gone " + tookMillis + " ms after SIGKILL");
    assertThat(tree.alive()).isEmpty();
    assertThat(tookMillis).isLessThan(1000);
    awaitNoCgroupsOf(jvm.pid());
  }

  /**
   * The watchdog ends all runs at once, not one after another: 300 live runs (1,000 with
   * -Dcorral.soak=true) of three processes each, which end on SIGTERM, are gone within 1 s. The
   * 0.5 s margin is the measurement's, on two busy CPUs: the killed JVM's teardown competes with
   * the watchdog, and each poll of /proc reads a thousand command lines. Handling runs one by one,
   * with forks for each, took 1.8 s (cgroup) and 3.5 s (process group) for 300 runs.
   */
  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void killingTheJvmEndsManyTreesWithinOneSecond(Containment containment) throws Exception {
    if (containment == Containment.CGROUP) {
      assumeTrue(Platform.get().capability(Containment.CGROUP).available());
    }
    int runs = Boolean.getBoolean("corral.soak") ? 1000 : 300;
    Process jvm = java(dev.corral.testing.ManyTreesHolder.class.getName(), containment.name(),
        Integer.toString(runs), tree.sleep);
    BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
    assertThat(out.readLine()).isEqualTo("started");
    assertThat(tree.awaitAlive(3 * runs, 20_000)).hasSizeGreaterThanOrEqualTo(3 * runs);
    long tookMillis = killAndAwaitTheTree(jvm, 10_000);
    System.out.println("parent death (" + containment + ", " + runs + " runs): trees gone "
        + tookMillis + " ms after SIGKILL");
    assertThat(tree.alive()).isEmpty();
    assertThat(tookMillis).isLessThan(1500);
    awaitNoCgroupsOf(jvm.pid());
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void killingTheJvmSendsEachRunsStopSignalBeforeKilling(Containment containment,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    if (containment == Containment.CGROUP) {
      assumeTrue(Platform.get().capability(Containment.CGROUP).available());
    }
    Path mark = dir.resolve("usr1.log");
    Process jvm = java(dev.corral.testing.StopHolder.class.getName(), mark.toString(), tree.sleep,
        containment.name());
    BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
    assertThat(out.readLine()).isEqualTo("started");
    long tookMillis = killAndAwaitTheTree(jvm, 10_000); // only the watchdog is left to stop the tree
    assertThat(tree.alive()).isEmpty();
    // The members exited on the run's own stop signal, well before the 5 s grace ran out.
    assertThat(Files.readAllLines(mark)).containsExactly("USR1", "USR1");
    assertThat(tookMillis).isLessThan(4000);
    awaitNoCgroupsOf(jvm.pid());
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void aNormalJvmExitStopsEveryTreeWithTheStopSignal(Containment containment,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    if (containment == Containment.CGROUP) {
      assumeTrue(Platform.get().capability(Containment.CGROUP).available());
    }
    Path mark = dir.resolve("term.log");
    Process jvm = java(TreeHolder.class.getName(), containment.name(), tree.sleep, mark.toString());
    assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(tree.alive()).as("nothing outlives the JVM").isEmpty();
    // The shutdown hook ran the stop sequence: each member saw SIGTERM, not just the watchdog's KILL.
    assertThat(Files.readAllLines(mark)).containsExactly("TERM", "TERM");
  }

  @Test
  void staleCgroupsOfADeadJvmAreRemovedAtTheNextStart() throws Exception {
    assumeTrue(Platform.get().capability(Containment.CGROUP).available());
    Path base = Path.of(Cgroups.mount().toString(), "corral");
    // Pid 1 never has start time 1: a dead owner, named as this pid namespace names its JVMs.
    String ns = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString().replaceAll("\\D", "");
    String name = "1.1" + (ns.equals(Long.toString(0xEFFFFFFCL)) ? "" : "." + ns);
    Path stale = base.resolve(name).resolve("run-1");
    Files.createDirectories(stale);
    Process sleeper = new ProcessBuilder("sleep", "600.7").start();
    try {
      Files.writeString(stale.resolve("cgroup.procs"), Long.toString(sleeper.pid()));
      Process jvm = java(Main.class.getName());
      assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(jvm.exitValue()).isZero();
      assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).as("the stale run's process was killed").isTrue();
      assertThat(Files.exists(base.resolve(name))).isFalse();
      try (var dirs = Files.list(base)) {
        assertThat(dirs.map(p -> p.getFileName().toString()))
            .as("a JVM that exits normally removes its own cgroups, spares included")
            .noneMatch(n -> n.startsWith(jvm.pid() + "."));
      }
    } finally {
      sleeper.destroyForcibly();
      sleeper.waitFor(5, TimeUnit.SECONDS);
      if (Files.exists(stale)) {
        Files.deleteIfExists(stale);
        Files.deleteIfExists(stale.getParent());
      }
    }
  }

  /**
   * A JVM in another pid namespace that shares this cgroup tree (a container, a CI sandbox) names
   * its directory with pids this JVM cannot judge: a fresh JVM here must leave its runs alone.
   * Named by pid and start time alone, the other JVM (pid 1 in its namespace) looked dead here.
   */
  @Test
  void aJvmInAnotherPidNamespaceKeepsItsRunsWhenAJvmStartsHere() throws Exception {
    assumeTrue(Platform.get().capability(Containment.CGROUP).available());
    // In bin/debian13's root, which is not a mount point, unshare cannot make the new mount
    // namespace private; --propagation unchanged could let its /proc mount reach the host's.
    List<String> unshare = List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");
    List<String> probe = new ArrayList<>(unshare);
    probe.add("true");
    assumeTrue(Command.of(probe).deadline(java.time.Duration.ofSeconds(10)).run()
        .exitCode().orElse(-1) == 0, "unshare makes a pid namespace with its own /proc here");
    Path base = Path.of(Cgroups.mount().toString(), "corral");
    List<String> cmd = new ArrayList<>(unshare);
    cmd.addAll(javaCommand(TreeHolder.class.getName(), Containment.CGROUP.name(), tree.sleep));
    Process holder = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    jvms.add(holder);
    String holderNs = null;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
      assertThat(out.readLine()).isEqualTo("started");
      long inner = holder.toHandle().children().findFirst().orElseThrow().pid();
      holderNs = Files.readSymbolicLink(Path.of("/proc/" + inner + "/ns/pid")).toString().replaceAll("\\D", "");
      List<Long> before = tree.awaitSleeps(4, 5000, false); // unshare and the JVM carry the nonce too
      assertThat(before).hasSize(4);
      Process jvm = java(Main.class.getName());
      assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(jvm.exitValue()).isZero();
      assertThat(tree.awaitSleeps(4, 5000, false)).as("the other namespace's run is untouched")
          .containsExactlyInAnyOrderElementsOf(before);
    } finally {
      if (holderNs == null) { // failed before it was read: read it now, while the holder lives
        holderNs = holder.toHandle().children().findFirst().map(h -> {
          try {
            return Files.readSymbolicLink(Path.of("/proc/" + h.pid() + "/ns/pid")).toString()
                .replaceAll("\\D", "");
          } catch (java.io.IOException e) {
            return null;
          }
        }).orElse(null);
      }
      holder.destroyForcibly();
      holder.waitFor();
      tree.awaitGone(5000); // the namespace's init died, so the kernel killed all it held
      // No JVM of that namespace is left to clean its directory: this test does (only that one:
      // where this suite itself runs in a pid namespace, its own JVM's name has three parts too).
      String suffix = "." + holderNs;
      try (var dirs = Files.isDirectory(base) && holderNs != null ? Files.list(base)
          : java.util.stream.Stream.<Path>empty()) {
        for (Path dir : dirs.filter(p -> p.getFileName().toString().endsWith(suffix)).toList()) {
          try (var runs = Files.list(dir)) {
            for (Path run : runs.filter(Files::isDirectory).toList()) {
              Files.deleteIfExists(run);
            }
          }
          Files.deleteIfExists(dir);
        }
      }
      try (var gates = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
        for (Path gate : gates.filter(p -> p.getFileName().toString().startsWith("corral-gate-")
            && p.getFileName().toString().endsWith(suffix)).toList()) {
          Files.deleteIfExists(gate.resolve("release"));
          Files.deleteIfExists(gate);
        }
      }
    }
  }

  /** For the stale-cgroup test: one Corral run in a fresh JVM. */
  public static final class Main {
    public static void main(String[] args) {
      System.exit(Command.of("true").run().exitCode().orElse(1));
    }
  }

  /**
   * SIGKILLs the holder JVM, then waits up to {@code limitMillis} for its tree to be gone and
   * returns how long that took.
   */
  private long killAndAwaitTheTree(Process jvm, long limitMillis) throws InterruptedException {
    jvm.destroyForcibly();
    jvm.waitFor();
    return tree.awaitGone(limitMillis);
  }

  private Process java(String... args) throws Exception {
    Process p = new ProcessBuilder(javaCommand(args)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    jvms.add(p);
    return p;
  }

  private static List<String> javaCommand(String... args) {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData", // a JVM of another pid
        "-cp", System.getProperty("java.class.path"))); // namespace may share hsperfdata's pid
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static void awaitNoCgroupsOf(long jvmPid) throws InterruptedException {
    Path mount = Cgroups.mount();
    if (mount == null) {
      return;
    }
    long until = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < until) {
      if (Cgroups.leftover().stream().noneMatch(p -> p.contains("/" + jvmPid + "."))) {
        return;
      }
      Thread.sleep(10);
    }
    assertThat(Cgroups.leftover()).noneMatch(p -> p.contains("/" + jvmPid + "."));
  }
}
