package dev.corral.bench;

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
    return CapturePaired.argv(bytes);
  }

  @Benchmark
  public long corral() {
    return CapturePaired.captureWithCorral(bytes);
  }

  @Benchmark
  public long processBuilder() throws Exception {
    return CapturePaired.readWithProcessBuilder(bytes);
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
