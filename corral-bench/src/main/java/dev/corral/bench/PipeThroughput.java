package dev.corral.bench;

import dev.corral.Command;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.Run;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Pipe throughput both ways at once, beside ProcessBuilder in alternating rounds: {@code SIZE}
 * bytes written to {@code cat}'s stdin while its stdout is read back, from two virtual threads,
 * 64 KiB at a time. Prints MiB/s medians: {@code PipeThroughput [MiB] [rounds]}.
 */
public final class PipeThroughput {
  private PipeThroughput() {}

  public static void main(String[] args) throws Exception {
    long size = (args.length > 0 ? Long.parseLong(args[0]) : 256) << 20;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    List<Double> corral = new ArrayList<>();
    List<Double> pb = new ArrayList<>();
    for (int r = 0; r <= rounds; r++) {
      double c = corral(size);
      double p = processBuilder(size);
      if (r > 0) { // the first round warms up
        corral.add(c);
        pb.add(p);
      }
    }
    System.out.printf("pipes both ways, %d MiB through cat, median of %d rounds: Corral %.0f MiB/s,"
        + " ProcessBuilder %.0f MiB/s, ratio %.2f%n", size >> 20, rounds, Harness.median(corral),
        Harness.median(pb), Harness.median(corral) / Harness.median(pb));
  }

  private static double corral(long size) throws Exception {
    long s = System.nanoTime();
    try (Run run = Command.of("cat").stdin(Input.pipe()).stdout(Output.pipe()).start()) {
      pump(run.stdin(), run.stdout(), size);
      run.await();
    }
    return (size / 1048576.0) / ((System.nanoTime() - s) / 1e9);
  }

  private static double processBuilder(long size) throws Exception {
    long s = System.nanoTime();
    Process p = new ProcessBuilder("cat").start();
    pump(p.getOutputStream(), p.getInputStream(), size);
    p.waitFor();
    return (size / 1048576.0) / ((System.nanoTime() - s) / 1e9);
  }

  private static void pump(OutputStream in, InputStream out, long size) throws Exception {
    Thread writer = Thread.ofVirtual().start(() -> {
      byte[] chunk = new byte[65536];
      try (in) {
        for (long sent = 0; sent < size; sent += chunk.length) {
          in.write(chunk, 0, (int) Math.min(chunk.length, size - sent));
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    long got = 0;
    byte[] buf = new byte[65536];
    int n;
    while ((n = out.read(buf)) > 0) {
      got += n;
    }
    writer.join();
    if (got != size) {
      throw new IllegalStateException("read " + got + " of " + size);
    }
  }
}
