package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.corral.internal.Platform;
import dev.corral.testing.Descriptors;
import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Trees;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Descriptors of this JVM passed to a command on chosen numbers: a pipe read and written through
 * them, a listening socket, and a daemon holding one, which is still ended with the tree.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PassedDescriptorTest {
  private final Trees tree = new Trees();

  @AfterEach
  void cleanUp() {
    tree.cleanUp();
  }

  /** A pipe and its two descriptors, read end first. */
  private record Ends(Pipe pipe, int read, int write) implements AutoCloseable {
    static Ends open() throws Exception {
      Descriptors.Opened<Pipe> o = Descriptors.openedBy(Pipe::open);
      assertThat(o.fds()).hasSize(2);
      int a = o.fds().get(0);
      int b = o.fds().get(1);
      return Descriptors.writeOnly(a) ? new Ends(o.value(), b, a) : new Ends(o.value(), a, b);
    }

    @Override
    public void close() throws IOException {
      pipe.source().close();
      pipe.sink().close();
    }
  }

  private static void assumeAvailable(Containment containment) {
    if (containment == Containment.CGROUP) {
      assumeTrue(Platform.get().capability(Containment.CGROUP).available());
    }
  }

  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void theCommandReadsAndWritesThroughPassedDescriptorsAndHasNoOthers(Containment containment)
      throws Exception {
    assumeAvailable(containment);
    try (Ends in = Ends.open(); Ends out = Ends.open()) {
      in.pipe().sink().write(ByteBuffer.wrap("through 3\n".getBytes(StandardCharsets.UTF_8)));
      in.pipe().sink().close();
      Result r = Command.of("sh", "-c", "cat <&3 >&7; for n in $(seq 3 40); do"
              + " [ -e /proc/$$/fd/$n ] && echo open $n; done; exit 0")
          .passDescriptor(in.read(), 3).passDescriptor(out.write(), 7)
          .containment(containment).deadline(Duration.ofSeconds(10)).run();
      assertThat(r.exitCode()).as(r.stderrText()).hasValue(0);
      assertThat(r.stdoutText()).as("only what was passed, none of the JVM's").isEqualTo("open 3\nopen 7\n");
      out.pipe().sink().close();
      ByteBuffer got = ByteBuffer.allocate(64);
      out.pipe().source().read(got);
      assertThat(new String(got.array(), 0, got.position(), StandardCharsets.UTF_8)).isEqualTo("through 3\n");
    }
  }

  /**
   * The highest number this process may have (its descriptor limit less one, 60,000 at most): the
   * scratch copies stay low, and every number below it is closed. One more is refused in words.
   */
  @Test
  void aDescriptorPassedAsAHighNumberIsTheOnlyOneAboveTwo() throws Exception {
    int limit = Descriptors.limit();
    int high = Math.min(60000, limit - 1);
    try (Ends ends = Ends.open()) {
      String pipe = Descriptors.target(ProcessHandle.current().pid(), ends.read());
      Result r = Command.of("sh", "-c", "readlink /proc/$$/fd/" + high + "; set -- /proc/$$/fd/*; echo $#")
          .passDescriptor(ends.read(), high).deadline(Duration.ofSeconds(10)).run();
      // 0, 1, 2, the passed one and the glob's own directory
      assertThat(r.stdoutText()).as(r.stderrText()).isEqualTo(pipe + "\n5\n");
      if (limit <= 65535) {
        assertThatThrownBy(() -> Command.of("true").passDescriptor(ends.read(), limit).run())
            .isInstanceOfSatisfying(CorralException.class,
                e -> assertThat(e.reason()).isEqualTo(CorralException.Reason.BAD_REDIRECT))
            .hasMessageContaining("cannot be passed as " + limit);
      }
    }
  }

  @Test
  void aDescriptorPassedAsItsOwnNumberLosesCloseOnExecAndASocketStaysTheSameSocket() throws Exception {
    Descriptors.Opened<ServerSocketChannel> o = Descriptors.openedBy(() ->
        ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    try (ServerSocketChannel server = o.value()) {
      int fd = o.fds().get(0);
      String socket = Descriptors.target(ProcessHandle.current().pid(), fd);
      assertThat(socket).startsWith("socket:");
      Result r = Command.of("sh", "-c", "readlink /proc/$$/fd/" + fd).passDescriptor(fd)
          .deadline(Duration.ofSeconds(10)).run();
      assertThat(r.stdoutText().trim()).isEqualTo(socket);
    }
    // The JDK opens most descriptors without close-on-exec; a directory stream's has it.
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("corral-pass");
    try {
      Descriptors.Opened<java.nio.file.DirectoryStream<java.nio.file.Path>> d =
          Descriptors.openedBy(() -> java.nio.file.Files.newDirectoryStream(dir));
      try (var stream = d.value()) {
        int fd = d.fds().get(0);
        assertThat(Descriptors.closeOnExec(fd)).isTrue();
        Result r = Command.of("sh", "-c", "readlink /proc/$$/fd/" + fd).passDescriptor(fd)
            .deadline(Duration.ofSeconds(10)).run();
        assertThat(r.stdoutText().trim()).isEqualTo(dir.toString());
      }
    } finally {
      java.nio.file.Files.delete(dir);
    }
  }

  /**
   * A double-forked daemon keeps the passed write end of a pipe: at the deadline it is ended with
   * the tree, so the last copy outside this JVM is gone and the reader sees end of file.
   */
  @ParameterizedTest
  @EnumSource(value = Containment.class, names = {"CGROUP", "PROCESS_GROUP"})
  void aDaemonHoldingAPassedDescriptorIsStillEndedAndReleasesIt(Containment containment)
      throws Exception {
    assumeAvailable(containment);
    try (Ends ends = Ends.open()) {
      Run run = Command.of("sh", "-c", "(setsid " + tree.sleep + " >/dev/null 2>&1 &); echo started >&5; " + tree.sleep)
          .passDescriptor(ends.write(), 5).containment(containment)
          .deadline(Duration.ofSeconds(2)).start(); // long enough to say "started" on busy CPUs
      ends.pipe().sink().close(); // from now on only the tree holds the write end
      CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> readAll(ends.pipe()));
      Result r = run.await();
      assertThat(r.timedOut()).isTrue();
      assertThat(rest.get(5, TimeUnit.SECONDS)).as("end of file once the tree is gone").isEqualTo("started\n");
      assertThat(tree.alive()).isEmpty();
    }
  }

  private static String readAll(Pipe pipe) {
    StringBuilder sb = new StringBuilder();
    ByteBuffer b = ByteBuffer.allocate(256);
    try {
      while (pipe.source().read(b.clear()) > 0) {
        sb.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return sb.toString();
  }

  @Test
  void badDescriptorsAreRefusedWithReasons() throws Exception {
    Command c = Command.of("true");
    assertThatThrownBy(() -> c.passDescriptor(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("descriptors are 0 or more");
    assertThatThrownBy(() -> c.passDescriptor(5, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0, 1 and 2 are the command's stdin, stdout and stderr");
    assertThatThrownBy(() -> c.passDescriptor(5, 70000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("up to 65535");
    assertThatThrownBy(() -> c.passDescriptor(5, 3).passDescriptor(6, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot pass descriptor 6 as 3: descriptor 5 is already passed as 3");
    assertThat(c.passDescriptor(5, 3).passDescriptor(5, 3).passedDescriptors()).containsExactly(
        java.util.Map.entry(3, 5));

    int closed = unusedDescriptor();
    assertThatThrownBy(() -> Command.of("sh", "-c", tree.sleep).passDescriptor(closed, 3).run())
        .isInstanceOfSatisfying(CorralException.class,
            e -> assertThat(e.reason()).isEqualTo(CorralException.Reason.BAD_REDIRECT))
        .hasMessageContaining("descriptor " + closed + " (to be passed as 3) is not open in this process");
    assertThatThrownBy(() -> Command.of("true").passDescriptor(0, 3).containment(Containment.PORTABLE).run())
        .isInstanceOfSatisfying(CorralException.class,
            e -> assertThat(e.reason()).isEqualTo(CorralException.Reason.CONTAINMENT_UNAVAILABLE))
        .hasMessageContaining("portable containment cannot pass descriptors [0]");
    assertThat(tree.alive()).as("nothing started").isEmpty();
  }

  /** A descriptor number this JVM does not have open. */
  private static int unusedDescriptor() throws IOException {
    java.util.Set<Integer> open = Descriptors.open();
    int fd = 1000;
    while (open.contains(fd)) {
      fd++;
    }
    return fd;
  }

}
