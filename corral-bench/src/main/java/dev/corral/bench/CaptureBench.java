package dev.corral.bench;

import dev.corral.Command;
import dev.corral.Output;
import dev.corral.Result;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Capturing a child's stdout of {@code bytes} bytes: Corral keeps at most 16 MiB in memory and
 * reads (and drops) the rest; ProcessBuilder's stream is read to the end into a reused buffer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CaptureBench {
  @Param("1073741824")
  public long bytes;

  private String[] argv() {
    return new String[] {"head", "-c", Long.toString(bytes), "/dev/zero"};
  }

  @Benchmark
  public long corral() {
    Result r = Command.of(argv()).stdout(Output.capture(16 << 20)).run();
    if (!r.success() || r.stdout().length != Math.min(bytes, 16 << 20)) {
      throw new IllegalStateException("bad capture: " + r);
    }
    return r.stdout().length;
  }

  @Benchmark
  public long processBuilder() throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    long total = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = p.getInputStream()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
      }
    }
    p.waitFor();
    if (total != bytes) {
      throw new IllegalStateException("short read: " + total);
    }
    return total;
  }

  private long peer(Peers peer) throws Exception {
    long total = peer.run(java.util.List.of(argv()), true);
    if (total != bytes) {
      throw new IllegalStateException(peer.name() + " read " + total + " of " + bytes);
    }
    return total;
  }

  @Benchmark
  public long ztExec() throws Exception {
    return peer(new Peers.ZtExecPeer());
  }

  @Benchmark
  public long commonsExec() throws Exception {
    return peer(new Peers.CommonsExecPeer());
  }

  @Benchmark
  public long nuProcess() throws Exception {
    return peer(new Peers.NuProcessPeer());
  }
}
