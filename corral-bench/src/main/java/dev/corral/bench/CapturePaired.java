package dev.corral.bench;

import dev.corral.Command;
import dev.corral.Output;
import dev.corral.Result;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Capturing {@code head -c N /dev/zero} with Corral (16 MiB kept, the rest dropped) and with
 * ProcessBuilder (read to the end 64 KiB at a time), in alternating rounds whose order flips each
 * round: the JMH table runs each library for minutes on its own, and this machine's speed drifts
 * more than the difference between them over that time.
 */
final class CapturePaired {
  private CapturePaired() {}

  /** Medians in ms, and the median over rounds of ProcessBuilder's time over Corral's. */
  record Rounds(double corralMs, double processBuilderMs, double throughputVsPb, List<Double> ratios) {}

  static Rounds run(long bytes, int rounds) throws Exception {
    List<Double> corral = new ArrayList<>();
    List<Double> pb = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int r = -2; r < rounds; r++) { // two rounds of warm-up
      double c;
      double p;
      if ((r & 1) == 0) {
        c = corral(bytes);
        p = processBuilder(bytes);
      } else {
        p = processBuilder(bytes);
        c = corral(bytes);
      }
      if (r >= 0) {
        corral.add(c);
        pb.add(p);
        ratios.add(p / c);
      }
    }
    return new Rounds(Harness.median(corral), Harness.median(pb), Harness.median(ratios), ratios);
  }

  static String[] argv(long bytes) {
    return new String[] {"head", "-c", Long.toString(bytes), "/dev/zero"};
  }

  private static double corral(long bytes) {
    long s = System.nanoTime();
    captureWithCorral(bytes);
    return (System.nanoTime() - s) / 1e6;
  }

  private static double processBuilder(long bytes) throws Exception {
    long s = System.nanoTime();
    readWithProcessBuilder(bytes);
    return (System.nanoTime() - s) / 1e6;
  }

  /** Corral's capture, 16 MiB kept: what both this and {@link CaptureBench} time. */
  static long captureWithCorral(long bytes) {
    Result r = Command.of(argv(bytes)).stdout(Output.capture(16 << 20)).run();
    if (!r.success() || r.stdout().length != Math.min(bytes, 16 << 20)) {
      throw new IllegalStateException("bad capture: " + r);
    }
    return r.stdout().length;
  }

  /** ProcessBuilder's stream read to the end into a reused buffer. */
  static long readWithProcessBuilder(long bytes) throws Exception {
    Process p = new ProcessBuilder(argv(bytes)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
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
}
