package dev.corral.cli;

import dev.corral.Command;
import dev.corral.Output;
import dev.corral.Result;
import dev.corral.Run;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real CLI in its own JVM, as the launcher would (name and ignored signals as system
 * properties), under Corral so that the test sees how it ended: exit code or signal.
 */
final class CliRunner {
  private final String name;
  private final String sigign;

  private CliRunner(String name, String sigign) {
    this.name = name;
    this.sigign = sigign;
  }

  static CliRunner corral() {
    return new CliRunner("corral", "0");
  }

  static CliRunner timeout() {
    return new CliRunner("timeout", "0");
  }

  /** The caller's ignored signals, as the launcher reads them from /proc: a hexadecimal mask. */
  CliRunner ignoring(String mask) {
    return new CliRunner(name, mask);
  }

  Command command(String... args) {
    List<String> argv = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Dcorral.name=" + name, "-Dcorral.sigign=" + sigign,
        "-cp", System.getProperty("java.class.path"), "dev.corral.cli.Main"));
    argv.addAll(List.of(args));
    return Command.of(argv).deadline(Duration.ofSeconds(60));
  }

  Result run(String... args) {
    return command(args).run();
  }

  /** Starts the CLI and returns once its command printed {@code marker} on stdout. */
  Run startAndAwait(String marker, StringBuffer out, String... args) throws InterruptedException {
    CountDownLatch seen = new CountDownLatch(1);
    Run run = command(args).stdout(Output.lines(line -> {
      out.append(line).append('\n');
      if (line.equals(marker)) {
        seen.countDown();
      }
    })).start();
    if (!seen.await(30, TimeUnit.SECONDS)) {
      run.close();
      throw new AssertionError("never printed " + marker + ": " + out);
    }
    return run;
  }

  /** Sends {@code signal} to the CLI's own process only, not to its tree. */
  static void signal(Run cli, String signal) {
    Command.of("kill", "-" + signal, Long.toString(cli.pid())).run();
  }
}
