package dev.corral.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This test JVM's own process ids, from /proc/self/stat. */
public final class Self {
  private Self() {}

  /** The session id (field 6 of /proc/self/stat). */
  public static long session() {
    return field(6);
  }

  /** The process group id (field 5). */
  public static long group() {
    return field(5);
  }

  private static long field(int n) {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[n - 3]);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
