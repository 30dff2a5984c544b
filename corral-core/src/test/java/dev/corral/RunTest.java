package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

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

/** The engine against real processes: exit, signals, streams, environment, deadline, cancel. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RunTest {

  static Command sh(String script) {
    return Command.of("/bin/sh", "-c", script);
  }

  @Test
  void trueExitsZero() {
    Result r = Command.of("true").run();
    assertThat(r.exitCode()).hasValue(0);
    assertThat(r.signal()).isEmpty();
    assertThat(r.success()).isTrue();
    assertThat(r.timedOut()).isFalse();
    assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.NONE);
    assertThat(r.teardown().survivors()).isEmpty();
  }

  @Test
  void anInterruptedAwaitStopsTheRunAndKeepsTheInterrupt() throws Exception {
    // On a platform thread, await first waits on the exit itself (a native poll, deaf to
    // interrupts for its first 10 ms), then parks, where an interrupt cancels the run.
    try (Run run = Command.of("sleep", "60").start()) { // closing ends it if an assertion fails
      java.util.concurrent.atomic.AtomicReference<Result> got = new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicBoolean flag = new java.util.concurrent.atomic.AtomicBoolean();
      Thread waiter = Thread.ofPlatform().start(() -> {
        got.set(run.await());
        flag.set(Thread.currentThread().isInterrupted());
      });
      waiter.interrupt();
      waiter.join(10_000);
      assertThat(got.get()).isNotNull();
      assertThat(got.get().cancelled()).isTrue();
      assertThat(got.get().signal()).contains(Signal.TERM);
      assertThat(flag).isTrue();
    }
  }

  @Test
  void aShortRunAwaitedOnAPlatformThreadGetsItsResult() {
    // The fast path: the caller is woken by the exit and spins briefly for the outcome.
    for (int i = 0; i < 20; i++) {
      assertThat(sh("exit " + i).run().exitCode()).hasValue(i);
    }
  }

  @Test
  void exitCodeIsReported() {
    assertThat(sh("exit 42").run().exitCode()).hasValue(42);
  }

  @Test
  void signalDeathIsReported() {
    Result r = sh("kill -USR1 $$").run();
    assertThat(r.exitCode()).isEmpty();
    assertThat(r.signal()).contains(Signal.USR1);
    assertThat(r.status()).isEqualTo(138);
  }

  @Test
  void capturesStdoutAndStderrSeparately() {
    Result r = sh("echo out; echo err >&2").run();
    assertThat(r.stdoutText()).isEqualTo("out\n");
    assertThat(r.stderrText()).isEqualTo("err\n");
  }

  @Test
  void mergesStderrIntoStdout() {
    Result r = sh("echo one; echo two >&2; echo three").mergeStderr().run();
    assertThat(r.stdoutText()).isEqualTo("one\ntwo\nthree\n");
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void feedsStdinBytes() {
    byte[] big = new byte[1 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + i % 26);
    }
    Result r = Command.of("cat").stdin(Input.bytes(big)).run();
    assertThat(r.stdout()).isEqualTo(big);
  }

  @Test
  void stdinNoneReadsEndOfFile() {
    assertThat(Command.of("cat").run().stdoutText()).isEmpty();
  }

  @Test
  void stdinFromFileAndStdoutToFile(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.txt");
    Path out = dir.resolve("out.txt");
    Files.writeString(in, "from a file\n");
    Files.writeString(out, "old contents that must go\n");
    Result r = Command.of("cat").stdin(Input.file(in)).stdout(Output.file(out)).run();
    assertThat(r.success()).isTrue();
    assertThat(Files.readString(out)).isEqualTo("from a file\n");
    sh("echo more").stdout(Output.append(out)).run();
    assertThat(Files.readString(out)).isEqualTo("from a file\nmore\n");
  }

  @Test
  void discardAndInheritProduceNoCapture() {
    Result r = sh("echo gone").stdout(Output.discard()).stderr(Output.inherit()).run();
    assertThat(r.stdout()).isEmpty();
    assertThat(r.success()).isTrue();
  }

  @Test
  void captureLimitTruncatesButKeepsReading() {
    // 1 MiB of output against a 1000-byte limit: the child must still finish (pipe kept drained).
    Result r = sh("head -c 1048576 /dev/zero").stdout(Output.capture(1000)).run();
    assertThat(r.success()).isTrue();
    assertThat(r.stdout()).hasSize(1000);
    assertThat(r.stdoutTruncated()).isTrue();
    assertThat(r.stderrTruncated()).isFalse();
  }

  @Test
  void linesAndChunksConsumers() {
    List<String> lines = new CopyOnWriteArrayList<>();
    List<byte[]> chunks = new CopyOnWriteArrayList<>();
    Result r = sh("printf 'a\\r\\nb\\n\\nlast'; printf 'xyz' >&2")
        .stdout(Output.lines(lines::add)).stderr(Output.chunks(chunks::add)).run();
    assertThat(r.success()).isTrue();
    assertThat(lines).containsExactly("a", "b", "", "last");
    assertThat(String.join("", chunks.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList()))
        .isEqualTo("xyz");
  }

  @Test
  void environmentAddRemoveClear() {
    Result r = sh("echo \"$FOO|${HOME-unset}\"").env("FOO", "bar").removeEnv("HOME").run();
    assertThat(r.stdoutText()).isEqualTo("bar|unset\n");
    Result cleared = Command.of("/usr/bin/env").clearEnv().env("ONLY", "1").run();
    assertThat(cleared.stdoutText().lines().filter(l -> !l.startsWith("CORRAL_RUN=")))
        .containsExactly("ONLY=1");
  }

  @Test
  void workingDirectory(@TempDir Path dir) throws Exception {
    Result r = Command.of("pwd").directory(dir).run();
    assertThat(r.stdoutText().trim()).isEqualTo(dir.toRealPath().toString());
  }

  @Test
  void relativeProgramResolvesAgainstWorkingDirectory(@TempDir Path dir) throws Exception {
    Path script = dir.resolve("hello.sh");
    Files.writeString(script, "#!/bin/sh\necho hello from script\n");
    script.toFile().setExecutable(true);
    assertThat(Command.of("./hello.sh").directory(dir).run().stdoutText()).isEqualTo("hello from script\n");
  }

  @Test
  void deadlineStopsTheLeaderWithTerm() {
    Result r = Command.of("sleep", "60").deadline(Duration.ofMillis(100)).run();
    assertThat(r.timedOut()).isTrue();
    assertThat(r.signal()).contains(Signal.TERM);
    assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.DEADLINE);
    assertThat(r.teardown().neededKill()).isEmpty();
    assertThat(r.teardown().endedOnStop()).contains(r.pid());
    assertThat(r.duration()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void graceEndsInKillForATermIgnoringChild() {
    Result r = sh("trap '' TERM; echo ready; while :; do sleep 1; done")
        .deadline(Duration.ofMillis(100)).grace(Duration.ofMillis(200)).run();
    assertThat(r.timedOut()).isTrue();
    assertThat(r.signal()).contains(Signal.KILL);
    assertThat(r.teardown().neededKill()).contains(r.pid());
    assertThat(r.stdoutText()).isEqualTo("ready\n");
  }

  @Test
  void customStopSignal() {
    Result r = Command.of("sleep", "60").stopSignal("INT").deadline(Duration.ofMillis(50)).run();
    assertThat(r.signal()).contains(Signal.INT);
  }

  @Test
  void cancelStopsTheRun() {
    try (Run run = Command.of("sleep", "60").start()) {
      assertThat(run.isAlive()).isTrue();
      assertThat(run.await(Duration.ofMillis(20))).isEmpty();
      run.cancel();
      Result r = run.await();
      assertThat(r.cancelled()).isTrue();
      assertThat(r.timedOut()).isFalse();
      assertThat(r.teardown().cause()).isEqualTo(Teardown.Cause.CANCEL);
      assertThat(run.isAlive()).isFalse();
    }
  }

  @Test
  void closeStopsARunningCommand() {
    Run run = Command.of("sleep", "60").start();
    long pid = run.pid();
    run.close();
    assertThat(ProcessHandle.of(pid)).isEmpty();
    assertThat(run.await().cancelled()).isTrue();
    run.close(); // a second close changes nothing and throws nothing
    run.cancel();
    assertThat(run.await().cancelled()).isTrue();
    assertThat(run.isAlive()).isFalse();
  }

  @Test
  void onExitCompletesWithTheResult() throws Exception {
    Run run = sh("echo hi").start();
    String text = run.onExit().thenApply(Result::stdoutText).get(10, TimeUnit.SECONDS);
    assertThat(text).isEqualTo("hi\n");
  }

  @Test
  void blockingApiWorksFromVirtualThreads() throws Exception {
    List<Thread> threads = new java.util.ArrayList<>();
    List<Integer> codes = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 50; i++) {
      int code = i;
      threads.add(Thread.ofVirtual().start(() -> codes.add(sh("exit " + code).run().status())));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(codes).hasSize(50).containsExactlyInAnyOrderElementsOf(
        java.util.stream.IntStream.range(0, 50).boxed().toList());
  }

  @Test
  void childStartsWithDefaultDispositions() {
    // The JVM handles several signals itself; none of that may leak into the child.
    Result r = Command.of("cat", "/proc/self/status").run();
    assertThat(r.stdoutText()).containsPattern("SigIgn:\\s+0+\n").containsPattern("SigCgt:\\s+0+\n");
  }

  @Test
  void aSignalThisJvmIgnoresStartsWithItsDefaultUnlessKeptIgnored() {
    int winch = 28; // ignored behind Corral's back: read again at every spawn
    int rt = 40; // RTMIN+6, ignored through Corral, which then reads again at once
    Command.of("true").run(); // what this JVM ignores is now known, and fresh
    var layout = dev.corral.internal.posix.PosixLibC.LAYOUT;
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      java.lang.foreign.MemorySegment action = arena.allocate(layout.SIGACTION);
      layout.setSaHandler(action, dev.corral.internal.posix.PosixLibC.SIG_IGN);
      dev.corral.internal.posix.PosixLibC.sigaction(winch, action, java.lang.foreign.MemorySegment.NULL);
      dev.corral.internal.posix.OwnSignals.ignore(java.util.Set.of(rt));
      try {
        assertThat(Command.of("cat", "/proc/self/status").run().stdoutText())
            .containsPattern("SigIgn:\\s+0+\n");
        String both = String.format("%016x", (1L << (winch - 1)) | (1L << (rt - 1)));
        assertThat(Command.of("cat", "/proc/self/status")
            .keepIgnored(java.util.Set.of(Signal.of(winch), Signal.of(rt))).run().stdoutText())
            .containsPattern("SigIgn:\\s+" + both + "\n");
      } finally {
        layout.setSaHandler(action, dev.corral.internal.posix.PosixLibC.SIG_DFL);
        dev.corral.internal.posix.PosixLibC.sigaction(winch, action, java.lang.foreign.MemorySegment.NULL);
        dev.corral.internal.posix.PosixLibC.sigaction(rt, action, java.lang.foreign.MemorySegment.NULL);
      }
    }
  }

  @Test
  void childStartsWithEmptySignalMaskAndOnlyThreeDescriptors() {
    Result r = sh("grep SigBlk /proc/self/status; ls /proc/self/fd").run();
    String[] lines = r.stdoutText().split("\n");
    assertThat(lines[0]).matches("SigBlk:\\s+0+");
    // 0, 1, 2, and the descriptor ls opens to read the directory.
    assertThat(List.of(lines).subList(1, lines.length)).containsExactly("0", "1", "2", "3");
  }

  @Test
  void childRunsInItsOwnSession() {
    Result r = sh("cat /proc/self/stat").run();
    String[] f = r.stdoutText().substring(r.stdoutText().lastIndexOf(')') + 2).split(" ");
    int pgrp = Integer.parseInt(f[2]);
    int session = Integer.parseInt(f[3]);
    assertThat(session).isEqualTo(r.pid()).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(pgrp).isEqualTo(r.pid());
  }
}
