package dev.corral.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whole-process timing of short commands, interleaved round by round so that drift hits every
 * command alike: {@code ./corral run 5 true}, {@code timeout 5 true} and a hello-world JVM.
 */
final class CliStartup {
  private CliStartup() {}

  /** Median wall milliseconds per command, after a few unmeasured rounds. */
  static Map<String, Double> medians(Map<String, List<String>> commands, int rounds) throws Exception {
    Map<String, List<Double>> times = new LinkedHashMap<>();
    commands.keySet().forEach(k -> times.put(k, new ArrayList<>()));
    for (int round = -3; round < rounds; round++) {
      for (Map.Entry<String, List<String>> c : commands.entrySet()) {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(c.getValue()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int status = p.waitFor();
        double ms = (System.nanoTime() - t0) / 1e6;
        if (status != 0) {
          throw new IllegalStateException(c.getKey() + " exited " + status);
        }
        if (round >= 0) {
          times.get(c.getKey()).add(ms);
        }
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    times.forEach((k, v) -> out.put(k, Harness.median(v)));
    return out;
  }
}
