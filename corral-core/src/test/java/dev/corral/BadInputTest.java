package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.CorralException.Reason;
import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input gets a clear, typed error and leaves no descriptor or process behind. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest {

  @Test
  void emptyArgv() {
    assertThatThrownBy(() -> Command.of()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("argv is empty");
    assertThatThrownBy(() -> Command.of("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("argv[0] is empty");
  }

  @Test
  void nulInArgumentOrEnvironment() {
    assertThatThrownBy(() -> Command.of("echo", "a\0b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("argv[1] contains NUL");
    assertThatThrownBy(() -> Command.of("env").env("A", "x\0y"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contains NUL");
    assertThatThrownBy(() -> Command.of("env").env("A=B", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad environment variable name");
  }

  @Test
  void meaninglessDurations() {
    Command c = Command.of("true");
    assertThatThrownBy(() -> c.deadline(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadline must be positive: PT-0.001S");
    assertThatThrownBy(() -> c.deadline(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.grace(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grace must not be negative");
    assertThatThrownBy(() -> c.stopSignal(Signal.of(65))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.stopSignal(Signal.of(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.stopSignal("NOPE")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Output.capture(-5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void commandNotFound() {
    CorralException missing = expect(Command.of("corral-no-such-command-xyz", "arg"), Reason.NOT_FOUND, "not found");
    // The name once, and a long PATH by its length, not in full.
    String longPath = String.join(":", java.util.Collections.nCopies(20, "/nonexistent/bin"));
    String message = expect(Command.of("corral-no-such-command-xyz").clearEnv().env("PATH", longPath),
        Reason.NOT_FOUND, "not found in any of the 20 directories on PATH").getMessage();
    assertThat(message).doesNotContain("/nonexistent/bin")
        .isEqualTo("corral-no-such-command-xyz: not found in any of the 20 directories on PATH");
    assertThat(missing.getMessage().split("corral-no-such-command-xyz", -1)).hasSize(2);
    expect(Command.of("/no/such/program"), Reason.NOT_FOUND, "No such file or directory");
    expect(Command.of("ls").clearEnv().env("PATH", "/nonexistent"), Reason.NOT_FOUND, "/nonexistent");
  }

  @Test
  void notExecutable(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("data.txt");
    Files.writeString(f, "not a program");
    expect(Command.of(f.toString()), Reason.NOT_EXECUTABLE, "not executable");
  }

  @Test
  void notABinaryFailsAtExecTime(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("garbage");
    Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    f.toFile().setExecutable(true);
    CorralException e = expect(Command.of(f.toString()), Reason.NOT_EXECUTABLE, "Exec format error");
    assertThat(e.errno()).hasValue(8);
  }

  @Test
  void aDirectory(@TempDir Path dir) {
    expect(Command.of(dir.toString()), Reason.IS_DIRECTORY, "Is a directory");
  }

  @Test
  void missingWorkingDirectory(@TempDir Path dir) {
    expect(Command.of("true").directory(dir.resolve("gone")), Reason.BAD_DIRECTORY, "does not exist");
  }

  @Test
  void missingInputFile(@TempDir Path dir) {
    expect(Command.of("cat").stdin(Input.file(dir.resolve("nope"))), Reason.BAD_REDIRECT, "No such file");
  }

  @Test
  void argumentListTooLong() {
    // 3 MiB of arguments is over the kernel's 2 MiB (a quarter of the 8 MiB stack limit).
    List<String> argv = new ArrayList<>();
    argv.add("true");
    argv.addAll(Collections.nCopies(24, "x".repeat(128 * 1024 - 1)));
    CorralException e = expect(Command.of(argv), Reason.ARGUMENT_LIST_TOO_LONG, "Argument list too long");
    assertThat(e.errno()).hasValue(7);
  }

  @Test
  void outOfDescriptors() {
    int before = Resources.openDescriptors();
    // Room for two descriptors; a captured run needs two pipes and a pidfd.
    CorralException e = Resources.withDescriptorLimit(Resources.lowestFreeDescriptor() + 2,
        () -> assertThatThrownBy(() -> Command.of("true").run()).isInstanceOf(CorralException.class)
            .extracting(t -> (CorralException) t).actual());
    assertThat(e.reason()).isEqualTo(Reason.RESOURCE_LIMIT);
    assertThat(e.getMessage()).contains("Too many open files").contains("true");
    assertThat(Resources.openDescriptors()).isEqualTo(before);
  }

  /** Runs only unprivileged (root ignores RLIMIT_NPROC): UnprivilegedTest runs it as nobody. */
  @Test
  void outOfProcesses() {
    org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
        "root is exempt from RLIMIT_NPROC");
    Command.of("true").containment(Containment.PROCESS_GROUP).run(); // threads and watchdog first
    CorralException e = Resources.withProcessLimit(1, () -> (CorralException) org.assertj.core.api.Assertions
        .catchThrowable(() -> Command.of("true").containment(Containment.PROCESS_GROUP).run()));
    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.RESOURCE_LIMIT);
    assertThat(e.getMessage()).contains("Resource temporarily unavailable");
  }

  @Test
  void failuresLeaveNoDescriptorsBehind(@TempDir Path dir) {
    Command.of("true").run(); // warm up the service thread and its descriptors
    int before = Resources.openDescriptors();
    for (int i = 0; i < 50; i++) {
      assertThatThrownBy(() -> Command.of("/no/such/program").run()).isInstanceOf(CorralException.class);
      assertThatThrownBy(() -> Command.of("true").stdin(Input.file(dir.resolve("no"))).run())
          .isInstanceOf(CorralException.class);
    }
    assertThat(Resources.openDescriptors()).isEqualTo(before);
  }

  @Test
  void nullArgumentsAreNamedByTheirIndex() {
    assertThatThrownBy(() -> Command.of("echo", "a", null)).isInstanceOf(NullPointerException.class)
        .hasMessage("argv[2] is null");
    assertThatThrownBy(() -> Command.of(java.util.Arrays.asList("echo", null)))
        .isInstanceOf(NullPointerException.class).hasMessage("argv[1] is null");
  }

  @Test
  void aHugeArgvGivesABoundedMessage() {
    Command huge = Command.of("/bin/echo", "x".repeat(3_000_000));
    CorralException e = expect(huge, Reason.ARGUMENT_LIST_TOO_LONG, "Argument list too long");
    assertThat(e.getMessage()).hasSizeLessThan(400).contains("2 arguments, 3000011 bytes");
  }

  private static CorralException expect(Command c, Reason reason, String text) {
    CorralException e = (CorralException) org.assertj.core.api.Assertions.catchThrowable(c::run);
    assertThat(e).as("error for " + c).isNotNull();
    assertThat(e.reason()).isEqualTo(reason);
    assertThat(e.getMessage()).contains(text).contains(c.argv().get(0));
    return e;
  }
}
