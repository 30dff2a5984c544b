package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Trees;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Command.from(pb).start().asProcess()} against the JDK's own {@code pb.start()}: the same
 * small programs through both give the same exit values, output and exceptions; only {@code
 * destroy} differs, by ending the whole tree.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessViewTest {
  private final Trees tree = new Trees();
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    started.forEach(Process::destroyForcibly);
    tree.cleanUp();
  }

  /** The JDK's start, then Corral's: each test runs its check against both. */
  private List<Process> both(ProcessBuilder pb) throws IOException {
    Process jdk = pb.start();
    Process corral = Command.from(pb).start().asProcess();
    started.add(jdk);
    started.add(corral);
    return List.of(jdk, corral);
  }

  private static ProcessBuilder sh(String script) {
    return new ProcessBuilder("sh", "-c", script);
  }

  private <T> void sameFor(ProcessBuilder pb, Function<Process, T> what) throws IOException {
    List<T> seen = new ArrayList<>();
    for (Process p : both(pb)) {
      seen.add(what.apply(p));
    }
    assertThat(seen.get(1)).as("Corral's view, beside the JDK's").isEqualTo(seen.get(0));
  }

  private static int waitFor(Process p) {
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String out(Process p) {
    try {
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) + "|"
          + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8) + "|" + waitFor(p);
    } catch (IOException e) {
      return e.getClass().getName();
    }
  }

  @Test
  void exitValuesAndSignalDeaths() throws IOException {
    sameFor(sh("exit 3"), ProcessViewTest::waitFor);
    sameFor(sh("kill -TERM $$"), ProcessViewTest::waitFor);
    sameFor(sh("kill -KILL $$"), p -> waitFor(p) + " " + p.exitValue());
  }

  @Test
  void outputErrorAndMergedStreams() throws IOException {
    sameFor(sh("echo out; echo err >&2; exit 1"), ProcessViewTest::out);
    sameFor(sh("echo out; echo err >&2").redirectErrorStream(true), ProcessViewTest::out);
    sameFor(sh("echo gone").redirectOutput(Redirect.DISCARD), ProcessViewTest::out);
  }

  @Test
  void aClosedStdinIsEndOfFile() throws IOException {
    sameFor(new ProcessBuilder("cat"), p -> {
      try {
        p.getOutputStream().close();
      } catch (IOException e) {
        return e.toString();
      }
      return out(p);
    });
  }

  @Test
  void aChildThatIgnoresItsStdinMakesWritesFail() throws IOException {
    sameFor(sh("exit 0"), p -> {
      waitFor(p);
      try (OutputStream in = p.getOutputStream()) {
        byte[] chunk = new byte[65536];
        for (int i = 0; i < 64; i++) {
          in.write(chunk);
          in.flush();
        }
        return "no exception";
      } catch (IOException e) {
        return "IOException";
      }
    });
  }

  @Test
  void largeOutputInBothDirectionsAtOnce() throws Exception {
    byte[] data = new byte[8_000_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31);
    }
    sameFor(new ProcessBuilder("cat"), p -> {
      CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
        try {
          return p.getInputStream().readAllBytes();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      try (OutputStream in = p.getOutputStream()) {
        in.write(data);
      } catch (IOException e) {
        return e.toString();
      }
      return java.util.Arrays.hashCode(read.join()) + " " + waitFor(p);
    });
  }

  @Test
  void exitValueBeforeTheEndAndTimedWaits() throws Exception {
    // cat lives until its stdin closes: the test, not the clock, decides when it ends.
    ProcessBuilder pb = new ProcessBuilder("cat");
    for (int i = 0; i < 2; i++) {
      Process p = i == 0 ? pb.start() : Command.from(pb).start().asProcess();
      started.add(p);
      assertThatThrownBy(p::exitValue).isInstanceOf(IllegalThreadStateException.class);
      assertThat(p.isAlive()).isTrue();
      assertThat(p.waitFor(10, TimeUnit.MILLISECONDS)).isFalse();
      p.getOutputStream().close();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      assertThat(p.isAlive()).isFalse();
      assertThat(p.onExit().get()).isSameAs(p);
    }
  }

  @Test
  void aStdinThatIsNotAPipeFailsOnWriteAsTheJdksDoes(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("in"), "from a file\n");
    sameFor(new ProcessBuilder("cat").redirectInput(file.toFile()), p -> {
      try {
        p.getOutputStream().write(1);
        return "wrote";
      } catch (IOException e) {
        return e.getMessage() + " " + out(p);
      }
    });
  }

  @Test
  void anInterruptedWaitThrowsAndLeavesTheProcessRunning() throws Exception {
    for (Process p : both(new ProcessBuilder("sleep", "60"))) {
      Thread.currentThread().interrupt();
      assertThatThrownBy(p::waitFor).isInstanceOf(InterruptedException.class);
      assertThat(p.isAlive()).isTrue();
      p.destroyForcibly();
      p.waitFor();
    }
  }

  @Test
  void theViewTellsWhatTheJdkTells() throws Exception {
    Process p = Command.from(new ProcessBuilder("sleep", "60")).start().asProcess();
    started.add(p);
    assertThat(p.pid()).isEqualTo(p.toHandle().pid());
    assertThat(p.info().command()).hasValueSatisfying(c -> assertThat(c).endsWith("sleep"));
    assertThat(p.supportsNormalTermination()).isTrue();
    assertThat(p.children()).isEmpty();
    p.destroy();
    assertThat(p.waitFor()).isEqualTo(128 + 15);
  }

  @Test
  void destroyEndsTheWholeTreeWhereTheJdksLeavesOrphans() throws Exception {
    ProcessBuilder pb = sh(tree.sleep + " & setsid " + tree.sleep + " & echo ready; wait");
    Process jdk = pb.start();
    started.add(jdk);
    assertThat(jdk.getInputStream().readNBytes(6)).asString().isEqualTo("ready\n");
    jdk.destroy();
    jdk.waitFor();
    // Counted as sleeps, not as every process carrying the nonce: setsid forks when it finds
    // itself a group leader, and its parent carries the nonce until it exits.
    assertThat(tree.awaitSleeps(2, 2000, false)).as("the JDK's destroy leaves both sleeps").hasSize(2);
    tree.cleanUp();
    tree.awaitGone(2000);

    Process corral = Command.from(pb).start().asProcess();
    started.add(corral);
    assertThat(corral.getInputStream().readNBytes(6)).asString().isEqualTo("ready\n");
    assertThat(tree.awaitSleeps(2, 2000, false)).hasSize(2);
    corral.destroy();
    corral.waitFor();
    assertThat(tree.alive()).as("the whole tree ended").isEmpty();
  }

  @Test
  void everyRedirectOfABuilderIsTakenOver(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("log");
    Files.writeString(log, "before\n");
    ProcessBuilder pb = sh("pwd; echo $ONLY_HERE; echo err >&2").directory(dir.toFile())
        .redirectOutput(Redirect.appendTo(log.toFile())).redirectError(Redirect.DISCARD);
    pb.environment().put("ONLY_HERE", "yes");
    Command c = Command.from(pb);
    assertThat(c.stdin()).isEqualTo(Input.pipe());
    assertThat(c.stderr()).isEqualTo(Output.discard());
    assertThat(c.run().exitCode()).hasValue(0);
    assertThat(Files.readString(log)).isEqualTo("before\n" + dir.toRealPath() + "\nyes\n");
    assertThatThrownBy(() -> Command.from(new ProcessBuilder()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no command");
  }

}
