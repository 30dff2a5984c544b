package dev.corral.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds process trees on command with /bin/sh, and finds their processes by a nonce in their
 * command line, which survives setsid, new groups, reparenting and a scrubbed environment.
 */
public final class Trees {
  /** A unique sleep: "sleep 600.&lt;nonce&gt;" lasts ten minutes and names this tree. */
  public final String sleep;
  private final String nonce;

  public Trees() {
    nonce = Integer.toString(100000 + ThreadLocalRandom.current().nextInt(899999));
    sleep = "sleep 600." + nonce;
  }

  /** Live (non-zombie) processes whose command line carries this tree's nonce. */
  public List<Long> alive() {
    List<Long> out = new ArrayList<>();
    byte[] needle = ("600." + nonce).getBytes(StandardCharsets.ISO_8859_1);
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : dir) {
        try {
          byte[] cmd = Files.readAllBytes(p.resolve("cmdline"));
          if (contains(cmd, needle) && !zombie(p)) {
            out.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /**
   * This tree's processes that run sleep itself (not a shell or another program that carries the
   * nonce in its command line) once there are exactly {@code n}, or after {@code limitMillis}.
   * With {@code alone}, also only once nothing else of the tree is alive: its shells have exited
   * or exec'd. Polled: no event announces another program's exec or exit.
   */
  public List<Long> awaitSleeps(int n, long limitMillis, boolean alone) throws InterruptedException {
    long until = System.nanoTime() + limitMillis * 1_000_000L;
    while (true) {
      List<Long> all = alive();
      List<Long> sleeps = all.stream().filter(Trees::isSleep).toList();
      if (sleeps.size() == n && (!alone || all.size() == n) || System.nanoTime() - until > 0) {
        return sleeps;
      }
      Thread.sleep(10);
    }
  }

  private static boolean isSleep(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")),
          StandardCharsets.ISO_8859_1).startsWith("sleep\0");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * This tree's live processes once there are at least {@code n}, or after {@code limitMillis}.
   * A process between fork and exec, or in the middle of exec, can show an empty or another
   * command line for a moment, so a count taken right after a "ready" line may still be short.
   */
  public List<Long> awaitAlive(int n, long limitMillis) throws InterruptedException {
    long from = System.nanoTime();
    List<Long> now;
    while ((now = alive()).size() < n && System.nanoTime() - from < limitMillis * 1_000_000L) {
      Thread.sleep(10);
    }
    return now;
  }

  /**
   * Waits up to {@code limitMillis} for this tree to be gone and returns how long that took.
   * It polls the process table: no event announces the death of a process that is not a child.
   */
  public long awaitGone(long limitMillis) throws InterruptedException {
    long from = System.nanoTime();
    while (!alive().isEmpty() && System.nanoTime() - from < limitMillis * 1_000_000L) {
      Thread.sleep(10);
    }
    return (System.nanoTime() - from) / 1_000_000;
  }

  /** Ends whatever is left of this tree (by pid, start time checked by the JDK), for cleanup. */
  public void cleanUp() {
    for (long pid : alive()) {
      ProcessHandle.of(pid).ifPresent(h -> {
        h.destroyForcibly();
        try {
          h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException("pid " + pid + " did not die", e);
        }
      });
    }
  }

  private static boolean zombie(Path proc) throws IOException {
    String stat = Files.readString(proc.resolve("stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
