package dev.corral.internal.linux;

import dev.corral.internal.ProcStat;
import dev.corral.internal.posix.PosixLibC;
import dev.corral.internal.posix.ProcessTable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the live process table from /proc. Every answer is a snapshot: a process may start or end
 * right after it is read, so callers that act on it re-check identity (pid plus start time) first.
 */
final class ProcTable {
  private ProcTable() {}

  private static final Path PROC = Path.of("/proc");

  /**
   * Whether /proc numbers processes as this process's pid namespace does. After {@code unshare
   * --pid --fork} without a new /proc mount it does not: every pid read there names some other
   * process, so nothing read from /proc may be signalled or written anywhere.
   */
  static boolean ownNamespace() {
    Boolean own = ownNamespace;
    if (own == null) {
      try {
        own = Files.readSymbolicLink(PROC.resolve("self")).toString()
            .equals(Long.toString(ProcessHandle.current().pid()));
      } catch (IOException e) {
        own = false;
      }
      ownNamespace = own;
    }
    return own;
  }

  private static volatile Boolean ownNamespace;

  /** Every process now, skipping those that vanish while being read. */
  static List<ProcStat> scan() {
    List<ProcStat> out = new ArrayList<>(256);
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        ProcStat s = stat(Integer.parseInt(name));
        if (s != null) {
          out.add(s);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
    }
    return out;
  }

  /** Every process with its cgroup and command line, for display. */
  static List<dev.corral.internal.cli.ProcessView> views() {
    List<dev.corral.internal.cli.ProcessView> out = new ArrayList<>();
    for (ProcStat s : scan()) {
      String cgroup = "";
      String groups = readSmall("/proc/" + s.pid() + "/cgroup");
      if (groups != null) {
        for (String line : groups.split("\n")) {
          if (line.startsWith("0::")) {
            cgroup = line.substring(3);
          }
        }
      }
      String command;
      try {
        byte[] raw = Files.readAllBytes(PROC.resolve(Integer.toString(s.pid())).resolve("cmdline"));
        command = new String(raw, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').strip();
      } catch (IOException e) {
        command = "";
      }
      if (command.isEmpty()) {
        command = "[" + s.comm() + "]";
      }
      out.add(new dev.corral.internal.cli.ProcessView(s, cgroup, command));
    }
    return out;
  }

  /** One process, or null once it is gone (or not yet fully there). */
  static ProcStat stat(int pid) {
    String text = readSmall("/proc/" + pid + "/stat");
    return text == null ? null : ProcStat.parse(text);
  }

  // A sweep reads hundreds of tiny files: plain open/read/close into one buffer per thread is
  // several times cheaper than a channel per file.
  private static final ThreadLocal<MemorySegment> BUFFER =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(4096));

  /**
   * The start of a small file (up to 3 KiB) as Latin-1 text, or null if it cannot be read. Only
   * for files whose size is bounded: /proc/pid/stat, cgroup.events.
   */
  static String readSmall(String path) {
    return read(path, false);
  }

  /**
   * A small file through plain Java reading, or null if it cannot be read: for paths that must
   * not call native code (the cgroup probe, the launcher's slot), at a few times readSmall's cost.
   */
  static String readPlain(Path file) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * A whole /proc file as Latin-1 text, or null if it cannot be read: through the same buffer
   * when it fits (the file read to its end), else the slow way.
   */
  static String readAll(String path) {
    String text = read(path, true);
    if (text != null || !Files.exists(Path.of(path))) {
      return text;
    }
    try {
      return Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code whole}: null unless the file ended within the buffer. */
  private static String read(String path, boolean whole) {
    MemorySegment buf = BUFFER.get();
    // The path goes in the buffer's last KiB, NUL-terminated; the contents in the rest.
    long at = buf.byteSize() - 1024;
    int len = path.length();
    for (int i = 0; i < len; i++) {
      buf.set(ValueLayout.JAVA_BYTE, at + i, (byte) path.charAt(i));
    }
    buf.set(ValueLayout.JAVA_BYTE, at + len, (byte) 0);
    int fd = LibC.open(buf.asSlice(at), PosixLibC.O_RDONLY | PosixLibC.O_CLOEXEC, 0);
    if (fd < 0) {
      return null;
    }
    try {
      return readFrom(fd, whole);
    } finally {
      PosixLibC.close(fd);
    }
  }

  /** Opens {@code path} for reading with O_CLOEXEC: the descriptor, or a negated errno. */
  static int openRead(String path) {
    try (Arena arena = Arena.ofConfined()) {
      return LibC.open(arena.allocateFrom(path), PosixLibC.O_RDONLY | PosixLibC.O_CLOEXEC, 0);
    }
  }

  /**
   * An open file's text from its start, as {@link #readSmall} ({@code whole} false) or {@link
   * #readAll} (true, but null when it does not fit) read it. Reading from offset 0 makes a /proc or
   * cgroupfs file render afresh, so a descriptor kept open saves the open, which costs several
   * times the read.
   */
  static String readFrom(int fd, boolean whole) {
    MemorySegment buf = BUFFER.get();
    return readFrom(fd, whole, buf.asSlice(0, buf.byteSize() - 1024));
  }

  /** As {@link #readFrom(int, boolean)}, through {@code buf}, all of which holds contents. */
  static String readFrom(int fd, boolean whole, MemorySegment buf) {
    long room = buf.byteSize();
    long n = PosixLibC.pread(fd, buf, room, 0);
    if (n < 0 || (n == 0 && !whole)) {
      return null;
    }
    if (whole && (n == room || PosixLibC.pread(fd, buf.asSlice(n), room - n, n) != 0)) {
      return null; // more than fits
    }
    byte[] bytes = new byte[(int) n];
    MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, bytes, 0, (int) n);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /**
   * The value of the first {@code prefix} entry ("NAME=") of the process's initial environment,
   * "" when it has none, or null when it cannot be read (gone, or not ours to read).
   */
  static String environValue(int pid, byte[] prefix) {
    byte[] env;
    try {
      env = Files.readAllBytes(PROC.resolve(Integer.toString(pid)).resolve("environ"));
    } catch (IOException e) {
      return null;
    }
    for (int start = 0; start < env.length; ) {
      int nul = indexOf(env, (byte) 0, start);
      int end = nul < 0 ? env.length : nul;
      if (end - start >= prefix.length && java.util.Arrays.equals(env, start, start + prefix.length,
          prefix, 0, prefix.length)) {
        return new String(env, start + prefix.length, end - start - prefix.length, StandardCharsets.ISO_8859_1);
      }
      start = end + 1;
    }
    return "";
  }

  /** The pid most recently allocated in this pid namespace, or -1 if unknown. */
  static int lastPid() {
    try {
      return Integer.parseInt(Files.readString(PROC.resolve("sys/kernel/ns_last_pid"),
          StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** Clock ticks since boot now, to compare with {@link ProcStat#startTime()}. */
  static long ticksNow() {
    try {
      String up = Files.readString(PROC.resolve("uptime"), StandardCharsets.ISO_8859_1);
      double seconds = Double.parseDouble(up.substring(0, up.indexOf(' ')));
      return (long) (seconds * TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      return Long.MAX_VALUE;
    }
  }

  /** USER_HZ: 100 on every Linux architecture Corral supports. */
  static final int TICKS_PER_SECOND = 100;

  private static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** This table for the OS-neutral process-group layer. */
  static final ProcessTable TABLE = new ProcessTable() {
    @Override
    public boolean ownNamespace() {
      return ProcTable.ownNamespace();
    }

    @Override
    public List<ProcStat> scan() {
      return ProcTable.scan();
    }

    @Override
    public String environValue(int pid, byte[] prefix) {
      return ProcTable.environValue(pid, prefix);
    }

    @Override
    public long startedBefore(long nanosAgo) {
      return ticksNow() - nanosAgo / (1_000_000_000L / TICKS_PER_SECOND) - TICKS_PER_SECOND;
    }

    @Override
    public int lastPid() {
      return ProcTable.lastPid();
    }

    @Override
    public boolean signalIfSame(ProcStat seen, int signal) {
      return Pidfds.signalIfSame(seen, signal);
    }

    @Override
    public void signalGroup(int pgid, int signal) {
      PosixLibC.kill(-pgid, signal);
    }
  };
}
