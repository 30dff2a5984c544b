package dev.corral.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** This JVM's descriptor numbers, which Java hides, found from /proc/self/fd. */
public final class Descriptors {
  private Descriptors() {}

  /** What {@code open} returned, and the descriptors that appeared while it ran. */
  public record Opened<T>(T value, List<Integer> fds) {}

  /** Runs {@code open} and names the descriptors it opened (others opened meanwhile too). */
  public static <T> Opened<T> openedBy(Callable<T> open) throws Exception {
    Set<Integer> before = open();
    T value = open.call();
    Set<Integer> after = open();
    after.removeAll(before);
    return new Opened<>(value, List.copyOf(after));
  }

  /** The descriptors open now (not the one the listing itself used). */
  public static Set<Integer> open() throws IOException {
    Set<Integer> listed = new TreeSet<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path p : dir) {
        listed.add(Integer.parseInt(p.getFileName().toString()));
      }
    }
    listed.removeIf(fd -> !Files.exists(Path.of("/proc/self/fd/" + fd), LinkOption.NOFOLLOW_LINKS));
    return listed;
  }

  /** This JVM's descriptor limit (the soft RLIMIT_NOFILE, from /proc/self/limits). */
  public static int limit() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        String[] f = line.substring("Max open files".length()).trim().split("\\s+");
        return f[0].equals("unlimited") ? Integer.MAX_VALUE : Integer.parseInt(f[0]);
      }
    }
    throw new IOException("no open-files limit in /proc/self/limits");
  }

  /** Whether descriptor {@code fd} of this JVM was opened for writing only (its fdinfo flags). */
  public static boolean writeOnly(int fd) throws IOException {
    return (flags(fd) & 3) == 1;
  }

  /** Whether descriptor {@code fd} of this JVM has close-on-exec (O_CLOEXEC in its fdinfo flags). */
  public static boolean closeOnExec(int fd) throws IOException {
    return (flags(fd) & 02000000) != 0;
  }

  private static int flags(int fd) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
      if (line.startsWith("flags:")) {
        return Integer.parseInt(line.substring(6).trim(), 8);
      }
    }
    throw new IOException("no flags in /proc/self/fdinfo/" + fd);
  }

  /** What descriptor {@code fd} of process {@code pid} is: "pipe:[123]", "socket:[456]", a path. */
  public static String target(long pid, int fd) throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
  }
}
