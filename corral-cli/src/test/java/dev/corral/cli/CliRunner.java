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
  /** The packaged launcher to run, or null to start the JVM directly from the test classpath. */
  private final Path launcher;

  private CliRunner(String name, String sigign, Path launcher) {
    this.name = name;
    this.sigign = sigign;
    this.launcher = launcher;
  }

  static CliRunner corral() {
    return new CliRunner("corral", "0", null);
  }

  static CliRunner timeout() {
    return new CliRunner("timeout", "0", null);
  }

  /**
   * Through {@code launcher} (./corral, or a link to it named timeout) after packaging: the way
   * a user starts it, with the launcher's pre-forked slot.
   */
  static CliRunner launcher(String name, Path launcher) {
    return new CliRunner(name, "0", launcher);
  }

  /** The caller's ignored signals, as the launcher reads them from /proc: a hexadecimal mask. */
  CliRunner ignoring(String mask) {
    return new CliRunner(name, mask, launcher);
  }

  Command command(String... args) {
    List<String> argv = new ArrayList<>();
    if (launcher != null) {
      long mask = Long.parseUnsignedLong(sigign, 16);
      if (mask != 0) {
        // Really ignored, as a caller would have it: the launcher reads them from /proc.
        StringBuilder trap = new StringBuilder("trap ''");
        for (int sig = 1; sig <= 31; sig++) {
          if ((mask & (1L << (sig - 1))) != 0) {
            trap.append(' ').append(sig);
          }
        }
        argv.addAll(List.of("/bin/sh", "-c", trap + "; exec \"$0\" \"$@\""));
      }
      argv.add(launcher.toString());
    } else {
      argv.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
          "-Dcorral.name=" + name, "-Dcorral.sigign=" + sigign,
          "-cp", System.getProperty("java.class.path"), "dev.corral.cli.Main"));
    }
    argv.addAll(List.of(args));
    return Command.of(argv).deadline(Duration.ofSeconds(60));
  }

  Result run(String... args) {
    return command(args).run();
  }

  /** Starts the CLI and returns once its command printed {@code marker} on stdout. */
  Run startAndAwait(String marker, StringBuffer out, String... args) throws InterruptedException {
    return startAndAwait(marker, out, command(args));
  }

  /** As above, for a command from {@link #command} that the caller adjusted. */
  static Run startAndAwait(String marker, StringBuffer out, Command command) throws InterruptedException {
    CountDownLatch seen = new CountDownLatch(1);
    Run run = command.stdout(Output.lines(line -> {
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
