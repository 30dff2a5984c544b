package dev.corral.cli;

import dev.corral.Signal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.Result;
import dev.corral.Run;
import dev.corral.junit.NoLeakedProcesses;
import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Self;
import dev.corral.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user meets it: GNU timeout's behaviour, over Corral's containment. */
// NoLeakedProcesses: nothing the test started (the launcher, its JVM, the watchdog, the command's
// tree) may outlive it; NoLeftovers: no run of this JVM's and no cgroup of its may either.
@ExtendWith({NoLeftovers.class, NoLeakedProcesses.class})
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CliTest {
  private final Trees tree = new Trees();
  private final CliRunner corral = runner("corral");
  private final CliRunner timeout = runner("timeout");

  /** The CLI named {@code name}: here its JVM started directly, without the launcher. */
  CliRunner runner(String name) {
    return name.equals("timeout") ? CliRunner.timeout() : CliRunner.corral();
  }

  @AfterEach
  void endWhatEscaped() {
    tree.cleanUp();
  }

  @Test
  void exitStatusOfTheCommandPassesThrough() {
    assertThat(corral.run("run", "10", "sh", "-c", "exit 3").exitCode()).hasValue(3);
    assertThat(timeout.run("0", "true").exitCode()).as("0 means no limit").hasValue(0);
  }

  @Test
  void timeoutEndsTheWholeTreeWith124() {
    String s = tree.sleep;
    Result r = corral.run("run", "0.5", "sh", "-c", s + " & setsid " + s + " & (" + s + " &); exec " + s);
    assertThat(r.exitCode()).hasValue(124);
    assertThat(tree.alive()).as("nothing of the tree is left").isEmpty();
  }

  @Test
  void killAfterSendsKillAndReports137WithGnuVerboseLines() {
    Result r = timeout.run("-v", "-s0", "-k", ".2", ".1", "sleep", "10");
    assertThat(r.exitCode()).hasValue(137);
    assertThat(r.stderrText()).isEqualTo("timeout: sending signal 0 to command 'sleep'\n"
        + "timeout: sending signal KILL to command 'sleep'\n");
  }

  @Test
  void preserveStatusReportsTheSignalStatus() {
    assertThat(timeout.run("-p", ".1", "sleep", "10").exitCode()).hasValue(143);
    assertThat(timeout.run("--preserve-status", ".1", "sleep", "10").exitCode()).hasValue(143);
  }

  @Test
  void withoutKillAfterTheCommandMayTakeItsTime() {
    // GNU semantics: TERM, then wait for the command however long it takes to exit.
    Result r = timeout.run(".1", "sh", "-c", "trap 'sleep 0.5; exit 9' TERM; while :; do sleep 0.05; done");
    assertThat(r.exitCode()).hasValue(124);
    assertThat(r.duration()).isGreaterThan(Duration.ofMillis(550));
  }

  @Test
  void commandNotFoundAndNotRunnable() {
    Result missing = timeout.run("10", "corral-no-such-command");
    assertThat(missing.exitCode()).hasValue(127);
    assertThat(missing.stderrText())
        .isEqualTo("timeout: failed to run command 'corral-no-such-command': No such file or directory\n");
    assertThat(timeout.run("10", "/").exitCode()).as("a directory").hasValue(126);
  }

  @Test
  void usageErrorsExit125WithOneLineAndWhereHelpIs() {
    Result interval = timeout.run("1x", "true");
    assertThat(interval.exitCode()).hasValue(125);
    assertThat(interval.stderrText()).isEqualTo(
        "timeout: invalid time interval '1x'\nTry 'timeout --help' for more information.\n");
    assertThat(timeout.run("-s", "NOPE", "1", "true").stderrText())
        .startsWith("timeout: 'NOPE': invalid signal\n");
    assertThat(timeout.run("--bogus", "1", "true").stderrText())
        .startsWith("timeout: unrecognized option '--bogus'\n");
    assertThat(timeout.run("-x", "1", "true").stderrText()).startsWith("timeout: invalid option -- 'x'\n");
    assertThat(timeout.run("--ve", "1", "true").stderrText())
        .startsWith("timeout: option '--ve' is ambiguous; possibilities: '--verbose' '--version'\n");
    assertThat(timeout.run("1").exitCode()).hasValue(125);
    assertThat(corral.run("run", "1").stderrText()).startsWith("corral: missing operand after '1'\n");
    assertThat(corral.run("frobnicate").exitCode()).hasValue(125);
  }

  @Test
  void aCommandKilledByASignalKillsTheCliWithTheSameSignal() {
    Result r = timeout.run("10", "sh", "-c", "kill -USR1 $$");
    assertThat(r.signal()).contains(Signal.USR1);
  }

  @Test
  void receivedSignalsAreForwardedToTheTree(@TempDir Path dir) throws Exception {
    Path got = dir.resolve("got");
    String member = "trap 'echo USR1 >> " + got + "; exit 0' USR1; while :; do sleep 0.05; done";
    StringBuffer out = new StringBuffer();
    Run cli = timeout.startAndAwait("ready", out, "-v", "30", "sh", "-c",
        "setsid sh -c \"" + member + "\" & trap 'echo USR1 >> " + got + "; exit 4' USR1; echo ready; "
            + "while :; do sleep 0.05; done");
    CliRunner.signal(cli, "USR1");
    Result r = cli.await();
    assertThat(r.exitCode()).as("the command's own status: it exited on USR1").hasValue(4);
    assertThat(Files.readAllLines(got)).containsExactly("USR1", "USR1");
    // The shell also reports its sleep killed by USR1; the CLI's own line comes first.
    assertThat(r.stderrText()).startsWith("timeout: sending signal USR1 to command 'sh'\n");
  }

  @Test
  void aClosedStderrDoesNotStopTheTimeout(@TempDir Path dir) throws Exception {
    // GNU's own case: the verbose message meets a closed pipe; the status must still be 124.
    Path status = dir.resolve("status");
    String cli = String.join(" ", timeout.command("-v", ".1", "sleep", "10").argv());
    Result r = dev.corral.Command.of("/bin/sh", "-c", "{ " + cli + " 2>&1; echo $? > " + status + "; } | :")
        .deadline(Duration.ofSeconds(60)).run();
    assertThat(r.timedOut()).isFalse();
    assertThat(Files.readString(status)).isEqualTo("124\n");
  }

  @Test
  void alrmCountsAsTheTimeout() throws Exception {
    StringBuffer out = new StringBuffer();
    Run cli = timeout.startAndAwait("ready", out, "30", "sh", "-c", "echo ready; exec " + tree.sleep);
    CliRunner.signal(cli, "ALRM");
    assertThat(cli.await().exitCode()).hasValue(124);
  }

  @Test
  void signalsTheCallerIgnoredStayIgnoredInTheCommand() {
    // Bit 13 is PIPE: the JVM installs its own handler for it, which the CLI replaces by SIG_IGN.
    Result r = timeout.ignoring("1000").run("10", "sh", "-c", "grep SigIgn /proc/$$/status");
    assertThat(r.stdoutText()).contains("0000000000001000");
    Result plain = timeout.run("10", "sh", "-c", "grep SigIgn /proc/$$/status");
    assertThat(plain.stdoutText()).contains("0000000000000000");
  }

  @Test
  void theCommandStartsWithTheDefaultForTheSignalsTheCliHandles() {
    // ALRM, the stop signal, CHLD, TTIN and TTOU: timeout handles them itself, so the command
    // gets their default action even when the caller ignored them.
    Result r = timeout.ignoring("2000").run("-s", "USR1", "10", "sh", "-c", "grep SigIgn /proc/$$/status");
    assertThat(r.stdoutText()).contains("0000000000000000");
  }

  @Test
  void foregroundKeepsTheCommandInTheCallersSession() {
    Result r = timeout.run("--foreground", "10", "sh", "-c", "cut -d' ' -f6 /proc/$$/stat");
    // The CLI JVM is the test run's leader, in a session of its own; the command shares it.
    long cliSession = Long.parseLong(r.stdoutText().strip());
    assertThat(cliSession).isNotEqualTo(Self.session()).isEqualTo(r.pid());
  }

  @Test
  void leftoversAreStoppedWhenTheCommandExitsUnlessAskedToLeaveThemRunning() throws Exception {
    Result stopped = corral.run("run", "30", "sh", "-c", tree.sleep + " > /dev/null & exit 0");
    assertThat(stopped.exitCode()).hasValue(0);
    assertThat(tree.alive()).isEmpty();

    // The test's own run must leave it running too, or it would stop it when the CLI exits.
    Result left = corral.command("run", "--leave-running", "30", "sh", "-c", tree.sleep + " > /dev/null & exit 0")
        .leftovers(dev.corral.Command.Leftovers.LEAVE_RUNNING).run();
    assertThat(left.exitCode()).hasValue(0);
    assertThat(tree.alive()).hasSize(1);
    tree.cleanUp();
  }

  @Test
  void aCliKilledBySigkillStillEndsItsTree() throws Exception {
    // The test's own run holds the CLI by its process group and leaves the rest alone, so
    // that only the CLI's parent-death watchdog can end the command's tree.
    StringBuffer out = new StringBuffer();
    Run cli = CliRunner.startAndAwait("ready", out, corral.command("run", "60", "sh", "-c",
            tree.sleep + " & setsid " + tree.sleep + " & echo ready; wait")
        .containment(dev.corral.Containment.PROCESS_GROUP)
        .leftovers(dev.corral.Command.Leftovers.LEAVE_RUNNING));
    // The sleeps, the shell and the CLI itself: all carry the tree's nonce.
    assertThat(tree.awaitAlive(4, 5_000)).hasSizeGreaterThanOrEqualTo(4);
    CliRunner.signal(cli, "KILL");
    assertThat(cli.await().signal()).contains(Signal.KILL);
    tree.awaitGone(10_000); // the watchdog's 2 s grace, and more
    assertThat(tree.alive()).isEmpty();
  }

  @Test
  void reportWritesTheResultAsJson(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.json");
    Result r = corral.run("run", "--report=json=" + file, "0.3", "sh", "-c", tree.sleep + " & exec " + tree.sleep);
    assertThat(r.exitCode()).hasValue(124);
    String json = Files.readString(file);
    assertThat(json).contains("\"status\":124", "\"timedOut\":true", "\"cause\":\"DEADLINE\"",
        "\"clean\":true", "\"survivors\":[]", "\"command\":[\"sh\",\"-c\"");
    assertThat(json).containsPattern("\"containment\":\"(CGROUP|PROCESS_GROUP)\"");
  }

  @Test
  void containmentCanBeChosen() throws Exception {
    Path file = Files.createTempFile("corral-report", ".json");
    try {
      corral.run("run", "--containment=group", "--report=json=" + file, "5", "true");
      assertThat(Files.readString(file)).contains("\"containment\":\"PROCESS_GROUP\"");
      assertThat(corral.run("run", "--containment=nope", "5", "true").exitCode()).hasValue(125);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void portableContainmentEndsTheTreeAndRefusesSignalsItCannotSend(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.json");
    Result r = corral.run("run", "--containment=portable", "--report=json=" + file, "0.5", "sh", "-c",
        tree.sleep + " & " + tree.sleep + " & exec " + tree.sleep);
    assertThat(r.exitCode()).hasValue(124);
    assertThat(Files.readString(file)).contains("\"containment\":\"PORTABLE\"", "\"survivors\":[]");
    assertThat(tree.alive()).as("nothing of the tree is left").isEmpty();
    Result refused = corral.run("run", "--containment=portable", "-s", "INT", "5", "true");
    assertThat(refused.exitCode()).hasValue(125);
    assertThat(refused.stderrText()).contains("cannot send the stop signal SIGINT");
  }

  @Test
  void nestedTimeoutsEachKeepTheirOwnTree(@TempDir Path dir) throws Exception {
    // GNU's own case: the outer timeout's ALRM reaches the inner timeout, which stops its command
    // with the inner stop signal; the outer does not kill the inner's tree behind its back.
    Path got = dir.resolve("got");
    String inner = String.join(" ", corral.command("run", "-s", "USR1", "25", "sh", "-c",
        "'trap \"echo USR1 > " + got + "; exit 0\" USR1; echo ready; while :; do sleep 0.05; done'").argv());
    StringBuffer out = new StringBuffer();
    Run outer = timeout.startAndAwait("ready", out, "-s", "ALRM", "30", "sh", "-c", "exec " + inner);
    CliRunner.signal(outer, "ALRM");
    assertThat(outer.await().exitCode()).hasValue(124);
    assertThat(Files.readString(got)).isEqualTo("USR1\n");
  }

  @Test
  void helpAndVersionSpeakAsTheNameInvoked() {
    assertThat(timeout.run("--help").stdoutText()).contains("timeout [OPTION]... DURATION COMMAND")
        .contains("EXIT STATUS").contains("EXAMPLES");
    assertThat(timeout.run("--version").stdoutText()).startsWith("timeout (Corral) ");
    assertThat(corral.run("--help").stdoutText()).contains("corral tree [--json] PID");
    assertThat(corral.run("run", "--help").stdoutText()).contains("corral run [OPTION]... DURATION");
  }

  @Test
  void treeShowsTheProcessesUnderAPid() {
    Result r = corral.run("tree", Long.toString(ProcessHandle.current().pid()));
    assertThat(r.exitCode()).hasValue(0);
    assertThat(r.stdoutText()).contains("PID", "PPID", "PGID", "SID", "CGROUP", "COMMAND")
        .contains(Long.toString(ProcessHandle.current().pid())).contains("└─ ");
    Result json = corral.run("tree", "--json", Long.toString(ProcessHandle.current().pid()));
    assertThat(json.stdoutText()).startsWith("{\"root\":{\"pid\":" + ProcessHandle.current().pid());
    assertThat(corral.run("tree", "999999999").exitCode()).hasValue(1);
  }

  @Test
  void doctorSaysWhatWorks() {
    Result r = corral.run("doctor");
    assertThat(r.stdoutText()).contains("cgroup").contains("pidfd").contains("kernel").contains("glibc")
        .contains("parent-death guard");
    assertThat(r.exitCode()).hasValue(r.stdoutText().contains("full containment available") ? 0 : 1);
  }
}
