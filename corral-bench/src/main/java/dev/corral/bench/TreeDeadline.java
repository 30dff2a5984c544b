package dev.corral.bench;

import dev.corral.Containment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A 100 ms deadline on {@code sh -c 'sleep 60 & setsid sleep 60 & sleep 60'} with output
 * captured: how long until the call returns, and how many of the tree's processes outlive it.
 * Orphans are counted, then ended by pid (their command line carries this round's nonce), which
 * also releases a call that hangs on a pipe an orphan holds.
 */
final class TreeDeadline {
  private TreeDeadline() {}

  /** How long a call may hang on an orphan's pipe before the orphans are ended for it. */
  static final long CAP_MS = 3000;

  record Outcome(String who, double returnMs, boolean hung, int orphans) {}

  interface Call {
    void run(List<String> argv, Duration deadline) throws Exception;
  }

  static List<Outcome> all(int rounds) throws Exception {
    List<Outcome> out = new ArrayList<>();
    List<Peers> peers = new ArrayList<>(Peers.ALL);
    peers.add(1, new Peers.CorralPeer(Containment.PORTABLE));
    peers.add(3, new Peers.ProcessBuilderPeer(true));
    for (Peers p : peers) {
      out.add(measure(p.name(), p::runWithDeadline, rounds));
    }
    out.add(measure("coreutils timeout", TreeDeadline::coreutilsTimeout, rounds));
    return out;
  }

  private static void coreutilsTimeout(List<String> argv, Duration deadline) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("timeout", Double.toString(deadline.toMillis() / 1000.0)));
    cmd.addAll(argv);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes(); // the caller wants the output: EOF needs every writer gone
    p.waitFor();
  }

  /** Median over {@code rounds}: return time, and the largest orphan count seen. */
  static Outcome measure(String who, Call call, int rounds) throws Exception {
    List<Double> times = new ArrayList<>();
    boolean hung = false;
    int orphans = 0;
    for (int i = -1; i < rounds; i++) { // round -1 warms the peer's code up and is not counted
      String nonce = "60." + (100000 + ThreadLocalRandom.current().nextInt(899999));
      String s = "sleep " + nonce;
      List<String> argv = List.of("/bin/sh", "-c", s + " & setsid " + s + " & " + s);
      long t0 = System.nanoTime();
      Thread caller = Thread.ofPlatform().start(() -> {
        try {
          call.run(argv, Duration.ofMillis(100));
        } catch (Exception e) {
          // a peer's own way of saying "timed out" is not a failure here
        }
      });
      caller.join(CAP_MS);
      double ms = (System.nanoTime() - t0) / 1e6;
      hung |= caller.isAlive();
      List<Long> left = alive(nonce);
      orphans = Math.max(orphans, left.size());
      end(left, nonce);
      caller.join(TimeUnit.SECONDS.toMillis(10));
      if (i >= 0) {
        times.add(ms);
      }
    }
    return new Outcome(who, Harness.median(times), hung, orphans);
  }

  /** Live processes whose command line carries {@code nonce}. */
  static List<Long> alive(String nonce) throws IOException {
    List<Long> out = new ArrayList<>();
    byte[] needle = nonce.getBytes(StandardCharsets.ISO_8859_1);
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : dir) {
        try {
          String stat = Files.readString(p.resolve("stat"));
          if (stat.charAt(stat.lastIndexOf(')') + 2) != 'Z'
              && new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.ISO_8859_1)
                  .contains(new String(needle, StandardCharsets.ISO_8859_1))) {
            out.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return out;
  }

  /** Ends orphans by pid: the JDK checks the start time, and the nonce is checked again first. */
  static void end(List<Long> pids, String nonce) throws IOException {
    for (long pid : pids) {
      if (alive(nonce).contains(pid)) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    for (int i = 0; i < 100 && !alive(nonce).isEmpty(); i++) {
      try {
        Thread.sleep(10); // a stranger's death has no event to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
