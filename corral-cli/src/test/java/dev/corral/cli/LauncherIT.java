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

  /**
   * Whether the launcher can pre-fork here (env and setsid as it needs them) and the slot can
   * take a cgroup run: then CORRAL_PREFORK=1 runs go through the slot, else they spawn.
   */
  private static boolean slotPossible() throws java.io.IOException {
    return Files.readString(ROOT.resolve("corral-cli/target/launch.env")).contains("PREFORK=yes")
        && dev.corral.internal.Platform.get().capability(dev.corral.Containment.CGROUP).available();
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

  private static Result bash(String script) {
    return Command.of("bash", "-c", script).deadline(Duration.ofSeconds(60)).run();
  }

  @Test
  void theCallersDescriptorsReachTheCommandOnTheirNumbers(@TempDir Path dir) throws Exception {
    Path link = timeoutLink(dir);
    Path input = Files.writeString(dir.resolve("input"), "from descriptor 3\n");
    // Both paths: the launcher's pre-forked slot (it names its cgroup run-slot) and a spawn.
    for (String prefork : new String[] {"1", "0"}) {
      String slot = prefork.equals("1") && slotPossible() ? "1" : "0";
      for (Path launcher : new Path[] {LAUNCHER, link}) {
        String run = "CORRAL_PREFORK=" + prefork + " " + launcher
            + (launcher.equals(link) ? " 10" : " run 10");
        String where = "grep -c run-slot /proc/$$/cgroup;";
        Result r = sh(run + " sh -c '" + where + " cat <&3' 3<" + input);
        assertThat(r.exitCode()).as(r.stderrText()).hasValue(0);
        assertThat(r.stdoutText()).isEqualTo(slot + "\nfrom descriptor 3\n");
        // bash's process substitution: /dev/fd/63 and /dev/fd/62 must exist in the command
        Result diff = bash(run + " sh -c '" + where + " diff \"$0\" \"$1\" && echo same' <(echo a) <(echo a)");
        assertThat(diff.stdoutText()).as(diff.stderrText()).isEqualTo(slot + "\nsame\n");
        // Only what the caller passed: none of the launcher's or the JVM's own
        Result fds = sh(run + " sh -c '" + where + " for n in $(seq 3 70); do [ -e /proc/$$/fd/$n ] && echo $n;"
            + " done; exit 0' 3<" + input + " 7<" + input);
        assertThat(fds.stdoutText()).as("with " + run).isEqualTo(slot + "\n3\n7\n");
      }
    }
    // The portable tier (ProcessBuilder) cannot pass them: the command runs without, as it did
    // before descriptors were passed, and -v says so.
    Result portable = sh(LAUNCHER + " run -v --containment=portable 10 sh -c 'echo ran' 3<" + input);
    assertThat(portable.stdoutText()).isEqualTo("ran\n");
    assertThat(portable.stderrText()).contains("without the caller's descriptors");
    // Holding more than two of 3 to 9, a caller leaves the launcher too few numbers of its own:
    // a spawn passes them all.
    Result many = sh(LAUNCHER + " run 10 sh -c 'grep -c run-slot /proc/$$/cgroup; cat <&3 <&4 <&5'"
        + " 3<" + input + " 4<" + input + " 5<" + input);
    assertThat(many.stdoutText()).isEqualTo("0\nfrom descriptor 3\n");
  }

  /** make's jobserver: a sub-make run under corral (and under the timeout link) keeps -j4. */
  @Test
  void aSubMakeUnderCorralKeepsItsJobserver(@TempDir Path dir) throws Exception {
    Path link = timeoutLink(dir);
    Files.writeString(dir.resolve("sub.mk"), "all: a b c d\na b c d:\n\t@echo $@\n");
    // one and two may take the launcher's slot, three and four spawn
    Files.writeString(dir.resolve("Makefile"), "all: one two three four\n"
        + "one:\n\t+@" + LAUNCHER + " run 20 $(MAKE) --no-print-directory -f sub.mk\n"
        + "two:\n\t+@" + link + " 20 $(MAKE) --no-print-directory -f sub.mk\n"
        + "three:\n\t+@CORRAL_PREFORK=0 " + LAUNCHER + " run 20 $(MAKE) --no-print-directory -f sub.mk\n"
        + "four:\n\t+@CORRAL_PREFORK=0 " + link + " 20 $(MAKE) --no-print-directory -f sub.mk\n");
    // make 4.4 and later pass a named FIFO by default, not descriptors: ask for the pipe.
    boolean styles = Command.of("make", "--help").run().stdoutText().contains("--jobserver-style");
    java.util.List<String> make = new java.util.ArrayList<>(java.util.List.of("make", "-j4",
        "--no-print-directory", "-C", dir.toString()));
    if (styles) {
      make.add("--jobserver-style=pipe");
    }
    Result r = Command.of(make).deadline(Duration.ofSeconds(60)).run();
    assertThat(r.exitCode()).as(r.stderrText()).hasValue(0);
    assertThat(r.stderrText()).doesNotContain("jobserver unavailable");
    assertThat(r.stdoutText().lines().sorted()).containsExactly(
        "a", "a", "a", "a", "b", "b", "b", "b", "c", "c", "c", "c", "d", "d", "d", "d");
  }

  /** A socket the caller opened is the command's descriptor 3, through the slot and a spawn. */
  @Test
  void aPassedSocketCarriesTheCommandsWords() throws Exception {
    for (String prefork : new String[] {"1", "0"}) {
      try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        var accepted = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try (java.net.Socket s = server.accept()) {
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        Result r = bash("exec 3<>/dev/tcp/127.0.0.1/" + server.getLocalPort() + "; CORRAL_PREFORK="
            + prefork + " " + LAUNCHER + " run 10 sh -c 'echo hello over 3, slot $(grep -c run-slot"
            + " /proc/$$/cgroup) >&3'");
        assertThat(r.exitCode()).as(r.stderrText()).hasValue(0);
        String slot = prefork.equals("1") && slotPossible() ? "1" : "0";
        assertThat(accepted.get(10, TimeUnit.SECONDS)).isEqualTo("hello over 3, slot " + slot + "\n");
      }
    }
  }

  /**
   * A double-forked daemon keeps the caller's descriptor 3, the write end of a pipe to cat: at
   * the deadline it is ended with the tree, so cat sees end of file and the pipeline returns.
   */
  @Test
  void aDaemonHoldingAPassedDescriptorIsEndedAtTheDeadline() {
    for (String prefork : new String[] {"1", "0"}) {
      dev.corral.testing.Trees tree = new dev.corral.testing.Trees();
      try {
        // 2 s: long enough to say "started" on busy CPUs
        Result r = sh("{ CORRAL_PREFORK=" + prefork + " " + LAUNCHER + " run 2 sh -c '(setsid "
            + tree.sleep + " >/dev/null 2>&1 &); echo started >&3; exec " + tree.sleep
            + "' 3>&1 >/dev/null; echo \"exit $?\" >&2; } | cat");
        assertThat(r.stdoutText()).isEqualTo("started\n");
        assertThat(r.stderrText()).contains("exit 124");
        assertThat(r.timedOut()).isFalse();
        assertThat(tree.alive()).isEmpty();
      } finally {
        tree.cleanUp();
      }
    }
  }

  /**
   * A caller's blocked signals stay blocked in the command, as GNU timeout 9.10 leaves them (all
   * but CHLD and ALRM, which it unblocks before it forks; 9.1 still left ALRM blocked), through
   * the launcher's slot and through a spawn alike.
   */
  @Test
  void blockedSignalsReachTheCommandAsGnuTimeoutLeavesThem(@TempDir Path dir) throws Exception {
    Path link = timeoutLink(dir);
    java.util.Set<dev.corral.Signal> blocked = java.util.Set.of(dev.corral.Signal.USR1,
        dev.corral.Signal.TERM, dev.corral.Signal.ALRM, dev.corral.Signal.INT, dev.corral.Signal.CHLD);
    String[] probe = {"grep", "-h", "^SigBlk\\|^0::", "/proc/self/status", "/proc/self/cgroup"};
    java.util.function.BiFunction<String, java.util.List<String>, java.util.List<String>> run = (prefork, argv) -> {
      java.util.List<String> cmd = new java.util.ArrayList<>(argv);
      cmd.addAll(java.util.List.of(probe));
      Result r = Command.of(cmd).env("CORRAL_PREFORK", prefork).keepBlocked(blocked)
          .deadline(Duration.ofSeconds(30)).run();
      assertThat(r.exitCode()).as(r.stderrText()).hasValue(0);
      return r.stdoutText().lines().toList();
    };
    String gnu = "SigBlk:\t0000000000004202"; // USR1, INT and TERM
    for (String prefork : new String[] {"1", "0"}) {
      for (java.util.List<String> corral : java.util.List.of(java.util.List.of(LAUNCHER.toString(), "run", "10"),
          java.util.List.of(link.toString(), "10"))) {
        java.util.List<String> lines = run.apply(prefork, corral);
        assertThat(lines.get(0)).as(prefork + " " + corral).isEqualTo(gnu);
        assertThat(lines.get(1).endsWith("/run-slot")).as(lines.get(1))
            .isEqualTo(prefork.equals("1") && slotPossible());
      }
    }
  }
}
