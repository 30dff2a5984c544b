package dev.corral.bench;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Output;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Spawn + wait of /bin/true in alternating rounds: the C loop, Corral, ProcessBuilder, the C loop
 * again, and so on. The machine's speed drifts by tens of percent over minutes here, so a
 * reference measured minutes apart from Corral (as JMH's table has it) can tilt a ratio either
 * way; rounds seconds long, each against the C runs on both sides of it, do not.
 */
public final class Paired {
  private Paired() {}

  /** {@code Paired C_LOOP ROUNDS N}: the rounds in this JVM, as key=value (for another root). */
  public static void main(String[] args) throws Exception {
    Rounds r = spawn(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    System.out.println("c=" + r.cUs() + " corral=" + r.corralUs() + " pb=" + r.processBuilderUs()
        + " vsC=" + r.vsC() + " vsPb=" + r.vsProcessBuilder() + " placement="
        + TRUE.run().teardown().placement() + " ratios=" + r.ratiosToC().stream()
            .map(d -> String.format(java.util.Locale.ROOT, "%.2f", d))
            .collect(java.util.stream.Collectors.joining(",")));
  }

  /** Per-round medians in µs, and the medians over rounds of Corral's ratios to each reference. */
  record Rounds(double cUs, double corralUs, double processBuilderUs, double vsC, double vsProcessBuilder,
      List<Double> ratiosToC) {}

  private static final Command TRUE = Command.of("/bin/true")
      .stdout(Output.discard()).stderr(Output.discard()).containment(Containment.CGROUP);

  static Rounds spawn(String cLoop, int rounds, int n) throws Exception {
    // JIT warm-up (JMH's forks do not warm this JVM). C2 is still compiling Corral's spawn path
    // after 3000 runs here (the Java side of a spawn then costs about 3x its steady 10 µs, and
    // the compiler thread takes one of the two CPUs), so warm well past that.
    for (int i = 0; i < 10_000; i++) {
      TRUE.run();
    }
    for (int i = 0; i < 1000; i++) {
      processBuilder();
    }
    List<Double> c = new ArrayList<>();
    List<Double> corral = new ArrayList<>();
    List<Double> pb = new ArrayList<>();
    List<Double> vsC = new ArrayList<>();
    List<Double> vsPb = new ArrayList<>();
    double before = cLoop(cLoop, n);
    c.add(before);
    for (int r = 0; r < rounds; r++) {
      double mine = median(n, Paired::corral);
      double theirs = median(n, Paired::processBuilder);
      double after = cLoop(cLoop, n);
      c.add(after);
      corral.add(mine);
      pb.add(theirs);
      vsC.add(mine / ((before + after) / 2));
      vsPb.add(mine / theirs);
      before = after;
    }
    return new Rounds(Harness.median(c), Harness.median(corral), Harness.median(pb),
        Harness.median(vsC), Harness.median(vsPb), vsC);
  }

  private static double cLoop(String cLoop, int n) throws Exception {
    String out = Harness.run(cLoop, Integer.toString(n));
    return Double.parseDouble(out.replaceAll("(?s).*median_us=([0-9.]+).*", "$1"));
  }

  private interface Once {
    void run() throws Exception;
  }

  private static double median(int n, Once once) throws Exception {
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      once.run();
      t[i] = (System.nanoTime() - s) / 1e3;
    }
    Arrays.sort(t);
    return t[n / 2];
  }

  private static void corral() {
    TRUE.run();
  }

  private static void processBuilder() throws Exception {
    new ProcessBuilder("/bin/true").redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
  }
}
