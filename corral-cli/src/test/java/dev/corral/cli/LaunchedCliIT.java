package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every CLI behaviour again, through the packaged launcher, which pre-forks the command's
 * process and the watchdog before the JVM starts: the result must be the same as a spawn's.
 */
class LaunchedCliIT extends CliTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static Path links;

  @BeforeAll
  static void packaged() throws IOException {
    LauncherIT.packaged();
    links = Files.createTempDirectory("corral-links");
    Files.createSymbolicLink(links.resolve("timeout"), ROOT.resolve("corral"));
  }

  @AfterAll
  static void removeLinks() throws IOException {
    Files.deleteIfExists(links.resolve("timeout"));
    Files.deleteIfExists(links);
  }

  @Override
  CliRunner runner(String name) {
    return CliRunner.launcher(name, name.equals("timeout") ? links.resolve("timeout") : ROOT.resolve("corral"));
  }

  @Test
  void aRunThatEndsByItselfNeverLoadsTheNativeLayer(@TempDir Path dir) {
    Path log = dir.resolve("classes");
    Result r = runner("corral").command("run", "5", "sh", "-c", "exit 3")
        .env("CORRAL_JVM_OPTIONS", "-XX:AOTMode=off -Xlog:class+load:file=" + log).run();
    assertThat(r.exitCode()).hasValue(3);
    // Without the AOT cache, which loads its classes up front, a class shows up when first used.
    String loaded = read(log);
    assertThat(loaded).contains("dev.corral.internal.linux.PreforkedRun")
        .doesNotContain("jdk.internal.foreign.abi.DowncallLinker ")
        .doesNotContain("dev.corral.internal.linux.Spawner ").doesNotContain("dev.corral.internal.linux.LibC ");
  }

  @Test
  void aDeadlineHandsTheRunToTheRegularSupervision() {
    Result r = runner("timeout").run("-v", "0.5", "sh", "-c", "sleep 30 & setsid sleep 30 & sleep 30");
    assertThat(r.exitCode()).hasValue(124);
    assertThat(r.stderrText()).contains("timeout: sending signal TERM to command 'sh'");
  }

  @Test
  void stdinReachesTheCommand() {
    Result r = runner("corral").command("run", "5", "cat")
        .stdin(dev.corral.Input.text("through the slot\n")).run();
    assertThat(r.stdoutText()).isEqualTo("through the slot\n");
  }

  @Test
  void aDismissedSlotLeavesNothing() throws IOException {
    assertThat(runner("corral").run("run", "5", "no-such-command-here").exitCode()).hasValue(127);
    assertThat(runner("corral").run("run", "--help").exitCode()).hasValue(0);
    try (var names = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(names.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("corral-launch-"));
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
