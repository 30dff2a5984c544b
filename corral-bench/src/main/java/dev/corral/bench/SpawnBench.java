package dev.corral.bench;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Output;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Spawn and wait of /bin/true: Corral in each containment mode against ProcessBuilder. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SpawnBench {
  private static final Command TRUE = Command.of("/bin/true")
      .stdout(Output.discard()).stderr(Output.discard());

  @Benchmark
  public int corralCgroup() {
    return TRUE.containment(Containment.CGROUP).run().status();
  }

  @Benchmark
  public int corralProcessGroup() {
    return TRUE.containment(Containment.PROCESS_GROUP).run().status();
  }

  @Benchmark
  public int corralPortable() {
    return TRUE.containment(Containment.PORTABLE).run().status();
  }

  @Benchmark
  public int corralCaptured() {
    return Command.of("/bin/true").run().status();
  }

  @Benchmark
  public int processBuilder() throws IOException, InterruptedException {
    return new ProcessBuilder("/bin/true").redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
  }

  @Benchmark
  public int processBuilderCaptured() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("/bin/true").start();
    p.getInputStream().readAllBytes();
    p.getErrorStream().readAllBytes();
    return p.waitFor();
  }

  private static final java.util.List<String> TRUE_ARGV = java.util.List.of("/bin/true");

  @Benchmark
  public long ztExec() throws Exception {
    return new Peers.ZtExecPeer().run(TRUE_ARGV, false);
  }

  @Benchmark
  public long ztExecCaptured() throws Exception {
    return new Peers.ZtExecPeer().run(TRUE_ARGV, true);
  }

  @Benchmark
  public long commonsExec() throws Exception {
    return new Peers.CommonsExecPeer().run(TRUE_ARGV, false);
  }

  @Benchmark
  public long commonsExecCaptured() throws Exception {
    return new Peers.CommonsExecPeer().run(TRUE_ARGV, true);
  }

  @Benchmark
  public long nuProcess() throws Exception {
    return new Peers.NuProcessPeer().run(TRUE_ARGV, false);
  }

  @Benchmark
  public long nuProcessCaptured() throws Exception {
    return new Peers.NuProcessPeer().run(TRUE_ARGV, true);
  }
}
