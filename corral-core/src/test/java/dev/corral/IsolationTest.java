package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One run never holds up another, whatever its consumers do; a consumer's failure is its run's. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IsolationTest {
  private final Trees tree = new Trees();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void cleanUp() {
    release.countDown();
    tree.cleanUp();
  }

  static Command sh(String script) {
    return Command.of("/bin/sh", "-c", script);
  }

  @Test
  void aSlowConsumerDoesNotDelayAnotherRun() throws Exception {
    CountDownLatch inConsumer = new CountDownLatch(1);
    AtomicReference<Thread> consumerThread = new AtomicReference<>();
    try (Run slow = sh("echo ready; " + tree.sleep).stdout(Output.lines(line -> {
      consumerThread.set(Thread.currentThread());
      inConsumer.countDown();
      awaitQuietly(release); // a consumer that blocks until the test ends
    })).start()) {
      assertThat(inConsumer.await(10, TimeUnit.SECONDS)).isTrue();
      long t0 = System.nanoTime();
      Result other = Command.of("echo", "hi").deadline(Duration.ofSeconds(5)).run();
      long tookMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(other.stdoutText()).isEqualTo("hi\n");
      // Before consumers left the service thread, this waited for the blocked consumer.
      assertThat(tookMs).isLessThan(2_000);
      assertThat(consumerThread.get().getName()).isEqualTo("corral-consumer");
      assertThat(slow.isAlive()).isTrue();
    }
  }

  @Test
  void aThrowingConsumerFailsItsRunWithItsOwnExceptionAndTheTreeIsStopped() {
    IllegalStateException boom = new IllegalStateException("consumer says no");
    Command c = sh(tree.sleep + " & echo one; echo two; " + tree.sleep)
        .stdout(Output.lines(line -> {
          throw boom; // the same instance every time
        }))
        .deadline(Duration.ofSeconds(10));
    long t0 = System.nanoTime();
    assertThatThrownBy(c::run).isSameAs(boom);
    assertThat(boom.getSuppressed()).isEmpty();
    // Well before the 10 s deadline: the failure stopped the tree.
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    assertThat(tree.alive()).isEmpty();
  }

  @Test
  void tryWithResourcesReportsAConsumerErrorOnceWithoutSelfSuppression() {
    AssertionError failed = new AssertionError("expected ready");
    Command c = sh("echo one; " + tree.sleep).stdout(Output.lines(line -> {
      throw failed;
    }));
    assertThatThrownBy(() -> {
      try (Run run = c.start()) {
        run.await();
      }
    }).isSameAs(failed);
    assertThat(failed.getSuppressed()).isEmpty();
    assertThat(tree.alive()).isEmpty();
  }

  @Test
  void aConsumerThatFallsBehindStopsThePipeAndMemoryStaysBounded() throws Exception {
    AtomicLong seen = new AtomicLong();
    CountDownLatch first = new CountDownLatch(1);
    Run run = Command.of("head", "-c", "50000000", "/dev/zero").stdout(Output.chunks(chunk -> {
      first.countDown();
      awaitQuietly(release);
      seen.addAndGet(chunk.length);
    })).start();
    try {
      assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
      // The consumer holds its first chunk: Corral stops reading, so head blocks on a full pipe
      // instead of Corral buffering its 50 MB.
      assertThat(run.await(Duration.ofMillis(500))).isEmpty();
      release.countDown();
      Result r = run.await();
      assertThat(r.exitCode()).hasValue(0);
      assertThat(seen.get()).isEqualTo(50_000_000L);
      assertThat(r.stdoutTruncated()).isFalse();
    } finally {
      release.countDown();
      run.close();
    }
  }

  @Test
  void aDeadlineHoldsWhileAConsumerIsBlocked() {
    List<String> got = new CopyOnWriteArrayList<>();
    Command c = sh("echo one; echo two; " + tree.sleep)
        .stdout(Output.lines(line -> {
          got.add(line);
          awaitQuietly(release); // never returns while the run is in progress
        }))
        .deadline(Duration.ofMillis(300)).grace(Duration.ofMillis(200));
    long t0 = System.nanoTime();
    Result r = c.run();
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.timedOut()).isTrue();
    assertThat(r.stdoutTruncated()).as("'two' never reached the consumer").isTrue();
    assertThat(got).containsExactly("one");
    // Deadline, then at most the drain bound (500 ms) for the consumer, plus slack.
    assertThat(tookMs).isLessThan(3_000);
    assertThat(tree.alive()).isEmpty();
  }

  @Test
  void closeBoundsTheWaitForABlockedConsumerOfARunWithoutDeadline() throws Exception {
    CountDownLatch inConsumer = new CountDownLatch(1);
    Run run = sh("echo one; echo two").stdout(Output.lines(line -> {
      inConsumer.countDown();
      awaitQuietly(release);
    })).start();
    assertThat(inConsumer.await(10, TimeUnit.SECONDS)).isTrue();
    // The leader is gone and nothing else: without a deadline the result waits for the consumer.
    assertThat(run.await(Duration.ofMillis(300))).isEmpty();
    long t0 = System.nanoTime();
    run.close();
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3_000);
    assertThat(run.await().stdoutTruncated()).isTrue();
  }

  @Test
  void aDeadlineHoldsWhenABlockedConsumerHasStoppedThePipe() {
    // Over 1 MiB waits for the consumer: the pipe is paused when the deadline stops the tree.
    Command c = sh("head -c 5000000 /dev/zero; " + tree.sleep)
        .stdout(Output.chunks(chunk -> awaitQuietly(release)))
        .deadline(Duration.ofMillis(500)).grace(Duration.ofMillis(100));
    long t0 = System.nanoTime();
    Result r = c.run();
    assertThat(r.timedOut()).isTrue();
    assertThat(r.stdoutTruncated()).isTrue();
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(4_000);
    assertThat(tree.alive()).isEmpty();
  }

  @Test
  void aWriterAlreadyWaitingOnTheFifoIsRead(@TempDir Path dir) throws Exception {
    Path fifo = mkfifo(dir);
    Thread writer = Thread.ofPlatform().start(() -> {
      try {
        Files.writeString(fifo, "from a waiting writer\n"); // blocks until a reader opens
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    try {
      // Let the writer reach its blocking open first; nothing announces that it waits there. If
      // it comes later, the run's own open waits for it instead, and the test still passes.
      Thread.sleep(100);
      Result r = Command.of("cat").stdin(Input.file(fifo)).deadline(Duration.ofSeconds(10)).run();
      assertThat(r.stdoutText()).isEqualTo("from a waiting writer\n");
      writer.join(5_000);
    } finally {
      releaseFifo(fifo, writer);
    }
  }

  @Test
  void anExecutorThatRunsConsumersInlineFailsItsRunNotTheServiceThread() {
    Command c = sh("echo one; " + tree.sleep).consumerExecutor(Runnable::run)
        .stdout(Output.lines(line -> {}));
    assertThatThrownBy(c::run).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inline");
    assertThat(tree.alive()).isEmpty();
    assertThat(Command.of("echo", "after").run().stdoutText()).isEqualTo("after\n");
  }

  @Test
  void consumersRunOnTheCallersExecutorInOrder() {
    List<String> names = new CopyOnWriteArrayList<>();
    List<String> lines = new CopyOnWriteArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4,
        r -> new Thread(r, "caller-pool"));
    try {
      Result r = sh("i=0; while [ $i -lt 500 ]; do echo $i; i=$((i+1)); done")
          .consumerExecutor(pool)
          .stdout(Output.lines(line -> {
            names.add(Thread.currentThread().getName());
            lines.add(line);
          })).run();
      assertThat(r.exitCode()).hasValue(0);
      assertThat(lines).hasSize(500);
      for (int i = 0; i < 500; i++) {
        assertThat(lines.get(i)).isEqualTo(Integer.toString(i));
      }
      assertThat(names).containsOnly("caller-pool");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFifoStdinWithoutAWriterHoldsUpOnlyItsOwnStart(@TempDir Path dir) throws Exception {
    Path fifo = mkfifo(dir);
    AtomicReference<Object> waiting = new AtomicReference<>();
    Thread starter = Thread.ofPlatform().start(() -> {
      try {
        waiting.set(Command.of("cat").stdin(Input.file(fifo)).deadline(Duration.ofSeconds(20)).run());
      } catch (RuntimeException e) {
        waiting.set(e);
      }
    });
    try {
      // Other runs start and finish meanwhile, from platform and from virtual threads.
      assertThat(Command.of("echo", "a").deadline(Duration.ofSeconds(3)).run().stdoutText()).isEqualTo("a\n");
      AtomicReference<Result> fromVirtual = new AtomicReference<>();
      Thread v = Thread.ofVirtual().start(() -> fromVirtual.set(Command.of("echo", "b").run()));
      v.join(5_000);
      assertThat(fromVirtual.get().stdoutText()).isEqualTo("b\n");
      assertThat(starter.isAlive()).isTrue();
      // Now a writer comes: the waiting run starts and reads it.
      Files.writeString(fifo, "through the fifo\n");
      starter.join(10_000);
      assertThat(waiting.get()).isInstanceOf(Result.class);
      assertThat(((Result) waiting.get()).stdoutText()).isEqualTo("through the fifo\n");
    } finally {
      releaseFifo(fifo, starter);
    }
  }

  @Test
  void aFifoStdinWithoutAWriterHonoursTheDeadline(@TempDir Path dir) throws Exception {
    Path fifo = mkfifo(dir);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> Command.of("cat").stdin(Input.file(fifo)).deadline(Duration.ofMillis(300)).run())
        .isInstanceOfSatisfying(CorralException.class, e -> {
          assertThat(e.reason()).isEqualTo(CorralException.Reason.DEADLINE_BEFORE_START);
          assertThat(e.getMessage()).contains("deadline passed").contains(fifo.toString());
        });
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3_000);
    assertNoOpenHelper();
  }

  @Test
  void anInterruptReleasesAStartWaitingOnAFifo(@TempDir Path dir) throws Exception {
    Path fifo = mkfifo(dir);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flag = new AtomicReference<>();
    Thread starter = Thread.ofPlatform().start(() -> {
      try {
        Command.of("cat").stdin(Input.file(fifo)).start().close();
      } catch (RuntimeException e) {
        thrown.set(e);
        flag.set(Thread.currentThread().isInterrupted());
      }
    });
    try {
      while (Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("corral-open"))) {
        Thread.sleep(5); // no event tells that the open began waiting
      }
      starter.interrupt();
      starter.join(5_000);
      assertThat(thrown.get()).isInstanceOf(CorralException.class).hasMessageContaining("interrupted");
      assertThat(((CorralException) thrown.get()).reason()).isEqualTo(CorralException.Reason.INTERRUPTED);
      assertThat(flag.get()).isTrue();
      assertNoOpenHelper();
    } finally {
      releaseFifo(fifo, starter);
    }
  }

  private static Path mkfifo(Path dir) throws Exception {
    Path fifo = dir.resolve("in.fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    return fifo;
  }

  /** If a test failed with its starter still waiting, give it a writer so it can end. */
  private static void releaseFifo(Path fifo, Thread starter) throws Exception {
    if (starter.isAlive()) {
      try (var w = new java.io.RandomAccessFile(fifo.toFile(), "rw")) {
        starter.join(5_000);
      }
    }
  }

  private static void assertNoOpenHelper() throws InterruptedException {
    long until = System.nanoTime() + 2_000_000_000L;
    while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("corral-open"))
        && System.nanoTime() < until) {
      Thread.sleep(5); // the helper ends right after its open returns
    }
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("corral-open"));
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
