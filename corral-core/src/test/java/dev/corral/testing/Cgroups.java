package dev.corral.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds Corral's cgroups on the cgroup2 mount, wherever it is, to prove none are left. */
public final class Cgroups {
  private Cgroups() {}

  private static boolean populated(Path cgroup) {
    try {
      return Files.readString(cgroup.resolve("cgroup.events")).contains("populated 1");
    } catch (IOException e) {
      return false;
    }
  }

  public static Path mount() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        int dash = List.of(f).indexOf("-");
        if (dash > 0 && "cgroup2".equals(f[dash + 1])) {
          return Path.of(f[4]);
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  /**
   * Corral run cgroups that still hold processes. Empty ones are kept as spares while their JVM
   * lives; the JVM removes them at exit, which the suite checks at the end.
   */
  /** As {@link #leftover}, for the JVM with pid {@code jvmPid} only. */
  public static List<String> leftoverOf(long jvmPid) {
    return leftover().stream().filter(p -> p.contains("/" + jvmPid + ".")).toList();
  }

  public static List<String> leftover() {
    Path root = mount();
    if (root == null) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root, 4)) {
      return s.filter(Files::isDirectory)
          .filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith("run-"))
          .filter(p -> p.toString().contains("corral"))
          .filter(Cgroups::populated)
          .map(Path::toString)
          .toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      return List.of();
    }
  }
}
