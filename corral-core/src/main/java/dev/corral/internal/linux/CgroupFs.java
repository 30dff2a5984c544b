package dev.corral.internal.linux;

import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes cgroup v2 interface files, with the kernel's errno in every failure. */
final class CgroupFs {
  private CgroupFs() {}

  private static volatile Path owned;
  private static volatile Path home;

  /**
   * Declares the subtree Corral created ({@code base}); from then on writes go only there, plus
   * {@code cgroup.procs} of the cgroup that holds it, where leftovers that a caller chose to
   * leave running are handed back.
   */
  static void own(Path base) {
    owned = base;
    home = base.getParent();
  }

  /** Throws unless {@code file} is in a cgroup Corral created (see {@link #own}). */
  static void checkOwned(Path file) {
    Path base = owned;
    Path normal = file.normalize();
    boolean ok = base != null && (normal.startsWith(base)
        || normal.equals(home.resolve("cgroup.procs")));
    if (!ok) {
      throw new IllegalArgumentException(
          "refusing to write to a cgroup Corral did not create: " + file);
    }
  }

  /** Writes {@code value} in one write(2), as the cgroup interface requires. */
  static void write(Path file, String value) {
    int rc = tryWrite(file, value);
    if (rc < 0) {
      throw Errors.fail("write", file + " <- " + value, -rc);
    }
  }

  /** Like {@link #write}, returning 0 or a negated errno. */
  static int tryWrite(Path file, String value) {
    checkOwned(file);
    try (Arena arena = Arena.ofConfined()) {
      int fd = LibC.open(arena.allocateFrom(file.toString()), PosixLibC.O_WRONLY | PosixLibC.O_CLOEXEC, 0);
      if (fd < 0) {
        return fd;
      }
      try {
        return tryWrite(fd, value);
      } finally {
        PosixLibC.close(fd);
      }
    }
  }

  /** Writes {@code value} to an open interface file in one write(2): 0 or a negated errno. */
  static int tryWrite(int fd, String value) {
    try (Arena arena = Arena.ofConfined()) {
      byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
      MemorySegment buf = arena.allocate(bytes.length);
      MemorySegment.copy(bytes, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
      long n = PosixLibC.write(fd, buf, bytes.length);
      return n < 0 ? (int) n : 0;
    }
  }

  /** The pids in {@code cgroup.procs}; empty if the cgroup is gone. */
  static List<Integer> procs(Path cgroup) {
    // Usually tiny, so through ProcTable's buffer (a stop lists the members: Files.readString
    // cost about 130 µs of it here); readAll reads a big tree's thousands of pids the slow way.
    String text = ProcTable.readAll(cgroup.resolve("cgroup.procs").toString());
    if (text == null) {
      return List.of();
    }
    List<Integer> pids = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        if (i > start) {
          pids.add(Integer.parseInt(text, start, i, 10));
        }
        start = i + 1;
      }
    }
    return pids;
  }

  /** The value of {@code key} in a flat-keyed file such as cgroup.events, or -1. */
  static long keyed(Path file, String key) {
    return keyed(ProcTable.readSmall(file.toString()), key);
  }

  /** The value of {@code key} in the text of a flat-keyed file, or -1 (also for null text). */
  static long keyed(String text, String key) {
    if (text == null) {
      return -1;
    }
    for (String line : text.split("\n")) {
      if (line.startsWith(key) && line.length() > key.length() && line.charAt(key.length()) == ' ') {
        return Long.parseLong(line.substring(key.length() + 1).trim());
      }
    }
    return -1;
  }
}
