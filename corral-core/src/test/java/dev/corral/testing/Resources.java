package dev.corral.testing;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.function.Supplier;

/** The JVM's own resources as the kernel sees them, for leak checks. */
public final class Resources {
  private Resources() {}

  public static int openDescriptors() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length - 1; // the listing's own descriptor
  }

  /**
   * The lowest descriptor number not in use: the next one the kernel hands out. Open descriptors
   * need not be contiguous (spare cgroups keep theirs), so a limit of this plus N lets exactly N
   * more be opened at most.
   */
  public static int lowestFreeDescriptor() {
    String[] fds = new File("/proc/self/fd").list();
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (String fd : fds == null ? new String[0] : fds) {
      used.add(Integer.parseInt(fd));
    }
    int free = 0;
    while (used.contains(free)) {
      free++;
    }
    return free;
  }

  /**
   * Kernel threads of this JVM, less the JIT compiler and GC workers, which HotSpot starts and
   * stops on its own schedule.
   */
  public static int liveThreads() {
    File[] tasks = new File("/proc/self/task").listFiles();
    int n = 0;
    for (File t : tasks == null ? new File[0] : tasks) {
      String comm;
      try {
        comm = java.nio.file.Files.readString(t.toPath().resolve("comm")).trim();
      } catch (java.io.IOException e) {
        continue; // ended meanwhile
      }
      if (!comm.contains("CompilerThre") && !comm.startsWith("G1 ") && !comm.startsWith("GC Thread")) {
        n++;
      }
    }
    return n;
  }

  /** Runs {@code body} with the soft RLIMIT_NOFILE lowered to {@code limit}, restoring it after. */
  public static <T> T withDescriptorLimit(int limit, Supplier<T> body) {
    return withLimit(RLIMIT_NOFILE, limit, body);
  }

  /** Runs {@code body} with the soft RLIMIT_NPROC lowered to {@code limit}, restoring it after. */
  public static <T> T withProcessLimit(int limit, Supplier<T> body) {
    return withLimit(RLIMIT_NPROC, limit, body);
  }

  private static <T> T withLimit(int resource, int limit, Supplier<T> body) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment old = arena.allocate(16);
      MemorySegment low = arena.allocate(16);
      rlimit(GETRLIMIT, resource, old);
      low.set(ValueLayout.JAVA_LONG, 0, limit);
      low.set(ValueLayout.JAVA_LONG, 8, old.get(ValueLayout.JAVA_LONG, 8));
      rlimit(SETRLIMIT, resource, low);
      try {
        return body.get();
      } finally {
        rlimit(SETRLIMIT, resource, old);
      }
    }
  }

  private static final int RLIMIT_NOFILE = 7;
  private static final int RLIMIT_NPROC = 6;
  private static final MethodHandle GETRLIMIT = libc("getrlimit");
  private static final MethodHandle SETRLIMIT = libc("setrlimit");

  private static MethodHandle libc(String name) {
    Linker linker = Linker.nativeLinker();
    return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
  }

  private static void rlimit(MethodHandle mh, int resource, MemorySegment rlimit) {
    try {
      if ((int) mh.invokeExact(resource, rlimit) != 0) {
        throw new IllegalStateException("rlimit call failed");
      }
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
