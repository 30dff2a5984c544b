package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.Command;
import dev.corral.Result;
import dev.corral.junit.NoLeakedProcesses;
import dev.corral.testing.NoLeftovers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./corral} launcher itself, after packaging: it reads the caller's ignored signals
 * before the JVM starts, and a link named {@code timeout} makes it speak as timeout.
 */
// NoLeakedProcesses: nothing the test started (the launcher, its JVM, the watchdog, the command's
// tree) may outlive it; NoLeftovers: no run of this JVM's and no cgroup of its may either.
@ExtendWith({NoLeftovers.class, NoLeakedProcesses.class})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LauncherIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path LAUNCHER = ROOT.resolve("corral");

  private static boolean finished;

  /**
   * Maven has just packaged target/lib: the launcher's own finishing steps (launch.env, the
   * watchdog script, the AOT cache) make it use that build instead of building again.
   */
  @BeforeAll
  static synchronized void packaged() {
    if (!finished) {
      Result r = Command.of(ROOT.resolve("bin/finish-build").toString(), ROOT.toString(),
          System.getProperty("java.home")).deadline(Duration.ofSeconds(120)).run();
      assertThat(r.exitCode()).as(r.stderrText()).hasValue(0);
      finished = true;
    }
  }

  private static Result sh(String script) {
    return Command.of("/bin/sh", "-c", script).deadline(Duration.ofSeconds(60)).run();
  }

  @Test
  void runsARealCommand() {
    Result r = sh(LAUNCHER + " run -v 0.5 sh -c 'sleep 30 & setsid sleep 30 & sleep 30'");
    assertThat(r.exitCode()).hasValue(124);
    assertThat(r.stderrText()).contains("corral: sending signal TERM to command 'sh'");
  }

  /** The launcher linked as {@code timeout}, as a user would install it. */
  private static Path timeoutLink(Path dir) throws Exception {
    return Files.createSymbolicLink(dir.resolve("timeout"), LAUNCHER);
  }

  @Test
  void aLinkNamedTimeoutSpeaksAsTimeout(@TempDir Path dir) throws Exception {
    Path link = timeoutLink(dir);
    assertThat(sh(link + " --version").stdoutText()).startsWith("timeout (Corral) ");
    Result bad = sh(link + " 1x true");
    assertThat(bad.exitCode()).hasValue(125);
    assertThat(bad.stderrText()).startsWith("timeout: invalid time interval '1x'");
  }

  @Test
  void theCallersIgnoredSignalsReachTheCommand(@TempDir Path dir) throws Exception {
    Path link = timeoutLink(dir);
    // GNU's own check: with PIPE ignored, `yes` sees EPIPE and says so instead of dying silently.
    Result r = sh("(trap '' PIPE && " + link + " 10 yes | :) 2>&1");
    assertThat(r.stdoutText()).contains("Broken pipe");
    // The JVM started with SIGCHLD ignored: it must still see its children's exit.
    assertThat(sh("trap '' CHLD; exec " + link + " 10 sh -c 'exit 6'").exitCode()).hasValue(6);
  }
}
