package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.testing.Cgroups;
import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Resources;
import dev.corral.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many runs at once, each with a random tree, deadline, grace and streams: nothing survives,
 * nothing leaks, and nothing fails but what the runs asked for. 1,000 runs by default; 10,000
 * with {@code ./check -Psoak}.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class LoadSoakTest {
  private static final int CONCURRENCY = 256;
  private final Trees tree = new Trees();

  @AfterEach
  void cleanUp() {
    tree.cleanUp();
  }

  @Test
  void randomRunsAtConcurrency256LeaveNothingBehind(@TempDir Path dir) throws Exception {
    int runs = Boolean.getBoolean("corral.soak") ? 10_000 : 1_000;
    Path input = Files.writeString(dir.resolve("input"), "from a file\n");
    // The service thread, the watchdog and the spawn thread of virtual threads exist from now on.
    Command.of("true").run();
    Thread.ofVirtual().start(() -> Command.of("true").run()).join();
    int fds = Resources.openDescriptors();
    int threads = corralThreads();

    AtomicInteger left = new AtomicInteger(runs);
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> callers = new ArrayList<>();
    for (int c = 0; c < CONCURRENCY; c++) {
      callers.add(Thread.ofVirtual().start(() -> {
        while (left.getAndDecrement() > 0) {
          try {
            Result r = random(input).run();
            String kind = r.timedOut() ? "timed out" : r.exitCode().isPresent() ? "exited" : "signalled";
            outcomes.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
            if (!r.teardown().survivors().isEmpty()) {
              unexpected.add(new AssertionError("survivors: " + r));
            }
          } catch (ExpectedFailure e) {
            outcomes.computeIfAbsent("consumer failed", k -> new AtomicInteger()).incrementAndGet();
          } catch (CorralException e) {
            if (e.reason() != CorralException.Reason.DEADLINE_BEFORE_START) {
              unexpected.add(e);
            }
            // Too busy to start before its deadline: dropped, as a deadline asks.
            outcomes.computeIfAbsent("not started", k -> new AtomicInteger()).incrementAndGet();
          } catch (Throwable t) {
            unexpected.add(t);
          }
        }
      }));
    }
    for (Thread t : callers) {
      t.join();
    }
    System.out.println("load soak: " + runs + " runs at " + CONCURRENCY + ": " + outcomes);
    assertThat(unexpected).isEmpty();
    assertThat(runs - outcomes.getOrDefault("not started", new AtomicInteger()).get())
        .as("runs that started").isGreaterThan(runs / 4);
    assertThat(tree.alive()).as("survivors by nonce").isEmpty();
    assertThat(Cgroups.leftoverOf(ProcessHandle.current().pid())).isEmpty();
    // Spare cgroups keep two descriptors each, three with kernel placement (at most 16 spares).
    assertThat(Resources.openDescriptors()).isLessThanOrEqualTo(fds + 3 * 16);
    long until = System.nanoTime() + 10_000_000_000L;
    while (corralThreads() > threads && System.nanoTime() < until) {
      Thread.sleep(10); // spawn threads end after 2 s idle; nothing announces it
    }
    assertThat(corralThreads()).as(Thread.getAllStackTraces().keySet().toString())
        .isLessThanOrEqualTo(threads);
  }

  /** A consumer's own failure, asked for by the run: the only exception the run may throw. */
  static final class ExpectedFailure extends RuntimeException {
    ExpectedFailure() {
      super("a consumer gave up, as asked");
    }
  }

  private Command random(Path input) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    String s = tree.sleep;
    String script = switch (rnd.nextInt(7)) {
      case 0 -> "echo hi";
      case 1 -> s + " & " + s;
      case 2 -> "setsid " + s + " & (" + s + " &); exec " + s;
      case 3 -> "trap '' TERM; " + s + " & " + s; // needs KILL after the grace
      case 4 -> "cat; " + s;
      case 5 -> "i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done; " + s;
      default -> "kill -STOP $$; " + s; // stopped: the stop sequence's SIGCONT matters
    };
    Command c = Command.of("/bin/sh", "-c", script)
        // Half short (many then never start: the spawn queue is longer), half long enough to start.
        .deadline(Duration.ofMillis(rnd.nextBoolean() ? 1 + rnd.nextInt(300) : 300 + rnd.nextInt(2700)))
        .grace(Duration.ofMillis(rnd.nextInt(201)));
    c = switch (rnd.nextInt(3)) {
      case 0 -> c.stdin(Input.text("to stdin\n"));
      case 1 -> c.stdin(Input.file(input));
      default -> c;
    };
    return switch (rnd.nextInt(5)) {
      case 0 -> c.stdout(Output.discard());
      case 1 -> c.stdout(Output.lines(line -> {}));
      case 2 -> c.stdout(Output.chunks(chunk -> {})).mergeStderr();
      case 3 -> c.stdout(Output.lines(line -> {
        if (line.endsWith("7")) {
          throw new ExpectedFailure();
        }
      }));
      default -> c;
    };
  }

  private static int corralThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("corral-")).count();
  }
}
