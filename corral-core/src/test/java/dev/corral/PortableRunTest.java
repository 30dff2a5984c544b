package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.testing.NoLeftovers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The portable tier's engine against real processes: exit, streams, environment, stop, failures. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PortableRunTest {

  static Command sh(String script) {
    return Command.of("/bin/sh", "-c", script).containment(Containment.PORTABLE);
  }

  @Test
  void exitCodesAndTheTeardownSayPortable() {
    Result r = sh("exit 42").run();
    assertThat(r.exitCode()).hasValue(42);
    assertThat(r.teardown().containment()).isEqualTo(Containment.PORTABLE);
    assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.NONE);
    assertThat(sh("true").run().success()).isTrue();
  }

  @Test
  void aDeathBySignalReadsAsTheSignal() {
    Result r = sh("kill -USR1 $$").run();
    assertThat(r.signal()).contains(Signal.USR1);
    assertThat(r.status()).isEqualTo(138);
  }

  @Test
  void capturesAndMergesStreams() {
    Result r = sh("echo out; echo err >&2").run();
    assertThat(r.stdoutText()).isEqualTo("out\n");
    assertThat(r.stderrText()).isEqualTo("err\n");
    Result merged = sh("echo one; echo two >&2; echo three").mergeStderr().run();
    assertThat(merged.stdoutText()).isEqualTo("one\ntwo\nthree\n");
    assertThat(merged.stderr()).isEmpty();
  }

  @Test
  void feedsStdinAndReadsEndOfFileWithoutInput() {
    byte[] big = new byte[1 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + i % 26);
    }
    assertThat(Command.of("cat").containment(Containment.PORTABLE).stdin(Input.bytes(big)).run().stdout())
        .isEqualTo(big);
    assertThat(Command.of("cat").containment(Containment.PORTABLE).run().stdoutText()).isEmpty();
  }

  @Test
  void filesDiscardAndInherit(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.txt");
    Path out = dir.resolve("out.txt");
    Files.writeString(in, "from a file\n");
    Files.writeString(out, "old contents that must go\n");
    Command cat = Command.of("cat").containment(Containment.PORTABLE);
    assertThat(cat.stdin(Input.file(in)).stdout(Output.file(out)).run().success()).isTrue();
    sh("echo more").stdout(Output.append(out)).run();
    assertThat(Files.readString(out)).isEqualTo("from a file\nmore\n");
    Result r = sh("echo gone").stdout(Output.discard()).stderr(Output.inherit()).run();
    assertThat(r.stdout()).isEmpty();
  }

  @Test
  void captureLimitTruncatesButKeepsReading() {
    Result r = sh("head -c 1048576 /dev/zero").stdout(Output.capture(1000)).run();
    assertThat(r.success()).isTrue();
    assertThat(r.stdout()).hasSize(1000);
    assertThat(r.stdoutTruncated()).isTrue();
  }

  @Test
  void linesAndChunksConsumersRunOffTheServiceThread() {
    List<String> lines = new CopyOnWriteArrayList<>();
    List<byte[]> chunks = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    Result r = sh("printf 'a\\r\\nb\\n\\nlast'; printf 'xyz' >&2")
        .stdout(Output.lines(l -> {
          lines.add(l);
          threads.add(Thread.currentThread().getName());
        }))
        .stderr(Output.chunks(chunks::add)).run();
    assertThat(r.success()).isTrue();
    assertThat(lines).containsExactly("a", "b", "", "last");
    assertThat(threads).allMatch(name -> name.equals("corral-consumer"));
    assertThat(String.join("", chunks.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList()))
        .isEqualTo("xyz");
  }

  @Test
  void aSlowConsumerHoldsUpOnlyItsPipeAndSeesEverything() {
    List<String> lines = new CopyOnWriteArrayList<>();
    Result r = sh("i=0; while [ $i -lt 3000 ]; do echo line-$i-........................................;"
        + " i=$((i+1)); done").stdout(Output.lines(l -> {
          lines.add(l);
          if (lines.size() % 1000 == 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
          }
        })).run();
    assertThat(r.success()).isTrue();
    assertThat(lines).hasSize(3000);
  }

  @Test
  void aThrowingConsumerFailsItsRunAndStopsTheTree() {
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(() -> sh("echo ready; exec sleep 60").stdout(Output.lines(l -> {
      throw boom;
    })).run()).isSameAs(boom);
  }

  @Test
  void environmentCarriesTheRunMarker(@TempDir Path dir) throws Exception {
    Result r = sh("echo \"$FOO|${HOME-unset}|${CORRAL_RUN:+marked}\"; pwd").env("FOO", "bar")
        .removeEnv("HOME").directory(dir).run();
    assertThat(r.stdoutText()).isEqualTo("bar|unset|marked\n" + dir.toRealPath() + "\n");
    Result cleared = Command.of("/usr/bin/env").containment(Containment.PORTABLE).clearEnv()
        .env("ONLY", "1").run();
    assertThat(cleared.stdoutText().lines().filter(l -> !l.startsWith("CORRAL_RUN=")))
        .containsExactly("ONLY=1");
  }

  @Test
  void theProgramIsLookedUpOnTheChildsPath(@TempDir Path dir) throws Exception {
    Path script = dir.resolve("hello-portable");
    Files.writeString(script, "#!/bin/sh\necho hello from $0\n");
    script.toFile().setExecutable(true);
    Result r = Command.of("hello-portable").containment(Containment.PORTABLE)
        .env("PATH", dir + ":/usr/bin:/bin").run();
    assertThat(r.stdoutText()).isEqualTo("hello from " + script + "\n");
    assertThat(Command.of("./hello-portable").containment(Containment.PORTABLE).directory(dir).run()
        .stdoutText()).isEqualTo("hello from ./hello-portable\n");
  }

  @Test
  void failuresToStartSayWhy(@TempDir Path dir) {
    assertThatThrownBy(() -> Command.of("no-such-program-xyz").containment(Containment.PORTABLE).run())
        .isInstanceOfSatisfying(CorralException.class,
            e -> assertThat(e.reason()).isEqualTo(CorralException.Reason.NOT_FOUND));
    assertThatThrownBy(() -> Command.of(dir.toString()).containment(Containment.PORTABLE).run())
        .isInstanceOfSatisfying(CorralException.class,
            e -> assertThat(e.reason()).isEqualTo(CorralException.Reason.IS_DIRECTORY));
    assertThatThrownBy(() -> sh("true").directory(dir.resolve("missing")).run())
        .isInstanceOfSatisfying(CorralException.class,
            e -> assertThat(e.reason()).isEqualTo(CorralException.Reason.BAD_DIRECTORY));
    assertThatThrownBy(() -> sh("true").stdin(Input.file(dir.resolve("missing"))).run())
        .isInstanceOfSatisfying(CorralException.class,
            e -> assertThat(e.reason()).isEqualTo(CorralException.Reason.BAD_REDIRECT));
  }

  @Test
  void deadlineTermThenGraceThenKill() {
    Result r = Command.of("sleep", "60").containment(Containment.PORTABLE)
        .deadline(Duration.ofMillis(100)).run();
    assertThat(r.timedOut()).isTrue();
    assertThat(r.signal()).contains(Signal.TERM);
    assertThat(r.teardown().endedOnStop()).contains(r.pid());
    Result killed = sh("trap '' TERM; echo ready; while :; do sleep 1; done")
        .deadline(Duration.ofMillis(100)).grace(Duration.ofMillis(200)).run();
    assertThat(killed.signal()).contains(Signal.KILL);
    assertThat(killed.teardown().neededKill()).contains(killed.pid());
    assertThat(killed.stdoutText()).isEqualTo("ready\n");
  }

  @Test
  void cancelCloseAndOnExit() throws Exception {
    try (Run run = Command.of("sleep", "60").containment(Containment.PORTABLE).start()) {
      assertThat(run.await(Duration.ofMillis(20))).isEmpty();
      run.cancel();
      Result r = run.await();
      assertThat(r.cancelled()).isTrue();
      assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.CANCEL);
    }
    Run run = Command.of("sleep", "60").containment(Containment.PORTABLE).start();
    long pid = run.pid();
    run.close();
    assertThat(ProcessHandle.of(pid)).isEmpty();
    assertThat(sh("echo hi").start().onExit().thenApply(Result::stdoutText).get(10, TimeUnit.SECONDS))
        .isEqualTo("hi\n");
  }

  @Test
  void manyRunsFromVirtualThreads() throws Exception {
    List<Thread> threads = new java.util.ArrayList<>();
    List<Integer> codes = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 30; i++) {
      int code = i;
      threads.add(Thread.ofVirtual().start(() -> codes.add(sh("exit " + code).run().status())));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(codes).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 30).boxed().toList());
  }

  @Test
  void anInterruptedAwaitStopsTheRun() throws Exception {
    try (Run run = Command.of("sleep", "60").containment(Containment.PORTABLE).start()) {
      java.util.concurrent.atomic.AtomicReference<Result> got = new java.util.concurrent.atomic.AtomicReference<>();
      Thread waiter = Thread.ofVirtual().start(() -> got.set(run.await()));
      waiter.interrupt();
      waiter.join(10_000);
      assertThat(got.get().cancelled()).isTrue();
    }
  }
}
