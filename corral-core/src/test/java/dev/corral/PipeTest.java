package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.testing.NoLeftovers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Streaming pipes ({@code Input.pipe()}, {@code Output.pipe()}) against real processes, in every
 * containment: talking to a child while it runs, backpressure both ways, end of file, a closed
 * stdin as an IOException, and deadlines that hold whatever the caller and the tree do.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeTest {

  private static Command piped(Containment c, String... argv) {
    return Command.of(argv).containment(c).stdin(Input.pipe()).stdout(Output.pipe());
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP", "PORTABLE"})
  void talksToCatLineByLine(Containment c) throws Exception {
    try (Run run = piped(c, "cat").start()) {
      OutputStream in = run.stdin();
      BufferedReader out = new BufferedReader(new InputStreamReader(run.stdout(), StandardCharsets.UTF_8));
      for (int i = 0; i < 100; i++) {
        in.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        assertThat(out.readLine()).isEqualTo("line " + i); // an answer before the next question
      }
      in.close();
      assertThat(out.readLine()).isNull();
      Result r = run.await();
      assertThat(r.exitCode()).hasValue(0);
      assertThat(r.stdout()).as("a piped stream is not captured too").isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PORTABLE"})
  void largeStreamsBothWaysAtOnceFromVirtualThreads(Containment c) throws Exception {
    int size = 20_000_000;
    try (Run run = piped(c, "cat").start()) {
      CompletableFuture<Long> read = new CompletableFuture<>();
      Thread.ofVirtual().start(() -> {
        try {
          read.complete(run.stdout().transferTo(OutputStream.nullOutputStream()));
        } catch (Throwable t) {
          read.completeExceptionally(t);
        }
      });
      Thread writer = Thread.ofVirtual().start(() -> {
        try (OutputStream in = run.stdin()) {
          byte[] chunk = new byte[8192];
          for (int sent = 0; sent < size; sent += chunk.length) {
            in.write(chunk, 0, Math.min(chunk.length, size - sent));
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(size);
      writer.join();
      assertThat(run.await().exitCode()).hasValue(0);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PORTABLE"})
  void anUnreadStreamBlocksTheChildAndLosesNothing(Containment c) throws Exception {
    int size = 50_000_000;
    try (Run run = Command.of("head", "-c", Integer.toString(size), "/dev/zero").containment(c)
        .stdout(Output.pipe()).start()) {
      assertThat(run.await(Duration.ofMillis(1500))).as("the child blocks while nobody reads").isEmpty();
      InputStream out = run.stdout();
      assertThat(out.available()).as("memory stays bounded").isLessThanOrEqualTo(2 << 20);
      assertThat(out.transferTo(OutputStream.nullOutputStream())).isEqualTo(size);
      assertThat(run.await().exitCode()).hasValue(0);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP", "PORTABLE"})
  void writingToAChildThatClosedItsStdinThrowsInsteadOfKillingTheJvm(Containment c) throws Exception {
    try (Run run = piped(c, "head", "-c", "1").start()) {
      OutputStream in = run.stdin();
      assertThatThrownBy(() -> {
        byte[] chunk = new byte[65536];
        for (int i = 0; i < 10_000; i++) {
          in.write(chunk);
          in.flush();
        }
      }).isInstanceOf(IOException.class);
      assertThat(run.await().exitCode()).hasValue(0);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP", "PORTABLE"})
  void theDeadlineReleasesAWriterTheChildNeverReads(Containment c) throws Exception {
    long start = System.nanoTime();
    try (Run run = Command.of("sleep", "60").containment(c).stdin(Input.pipe())
        .deadline(Duration.ofMillis(300)).grace(Duration.ofMillis(100)).start()) {
      OutputStream in = run.stdin();
      assertThatThrownBy(() -> {
        byte[] chunk = new byte[65536];
        while (true) {
          in.write(chunk);
        }
      }).isInstanceOf(IOException.class);
      assertThat(run.await().timedOut()).isTrue();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP", "PORTABLE"})
  void aReaderSeesEndOfFileAtTheDeadlineThoughAGrandchildHeldThePipe(Containment c)
      throws Exception {
    long start = System.nanoTime();
    try (Run run = Command.of("sh", "-c", "echo hi; sleep 60 & exec sleep 60").containment(c)
        .stdout(Output.pipe()).deadline(Duration.ofMillis(500)).grace(Duration.ofMillis(100))
        .start()) {
      String all = new String(run.stdout().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(all).isEqualTo("hi\n");
      assertThat(run.await().timedOut()).isTrue();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PORTABLE"})
  void stderrCanBePipedOnItsOwn(Containment c) throws Exception {
    try (Run run = Command.of("sh", "-c", "echo out; echo err >&2").containment(c)
        .stderr(Output.pipe()).start()) {
      assertThat(new String(run.stderr().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("err\n");
      assertThat(run.await().stdoutText()).isEqualTo("out\n");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PORTABLE"})
  void askingForAStreamThatIsNotAPipeIsAClearError(Containment c) {
    try (Run run = Command.of("true").containment(c).start()) {
      assertThatThrownBy(run::stdin).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("stdin is not a pipe").hasMessageContaining("Input.pipe()");
      assertThatThrownBy(run::stdout).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("stdout is not a pipe");
      run.await();
    }
  }
}
