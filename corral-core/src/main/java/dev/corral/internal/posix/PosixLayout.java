package dev.corral.internal.posix;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * The constants and struct shapes behind {@link PosixLibC}, per OS and architecture, as data:
 * POSIX fixes the names, not the values (POSIX_SPAWN_SETSID is 0x80 in glibc and 0x400 on Darwin,
 * where posix_spawnattr_t is a pointer). {@link #current()} picks one table by {@code os.name}
 * and {@code os.arch}; an OS or CPU without one gets none rather than a guess. Pure, so every
 * table is testable on any host. Signal numbers are not here: they come from {@code Signals}.
 */
public final class PosixLayout {
  public final String name;

  public final int O_RDONLY;
  public final int O_WRONLY;
  public final int O_RDWR;
  public final int O_CREAT;
  public final int O_TRUNC;
  public final int O_APPEND;
  public final int O_NONBLOCK;
  public final int O_DIRECTORY;
  public final int O_CLOEXEC;

  public final short POSIX_SPAWN_SETPGROUP;
  public final short POSIX_SPAWN_SETSIGDEF;
  public final short POSIX_SPAWN_SETSIGMASK;
  public final short POSIX_SPAWN_SETSID;

  public final int SIG_BLOCK;
  public final int SIG_UNBLOCK;
  public final int P_PID;
  public final int WEXITED;
  public final int POLLIN;

  /** {@code posix_spawnattr_t}: opaque, only its size and alignment matter. */
  public final StructLayout SPAWNATTR;
  /** {@code posix_spawn_file_actions_t}: opaque. */
  public final StructLayout FILE_ACTIONS;
  /** {@code sigset_t}. */
  public final StructLayout SIGSET;
  /** The C library's {@code struct sigaction} (not the kernel's). */
  public final StructLayout SIGACTION;
  /** {@code siginfo_t}, opaque: Corral only gives waitid room to fill it when reaping. */
  public final StructLayout SIGINFO;

  /** The highest signal number the first word of a {@link #SIGSET} holds. */
  private final int maxSignal;
  private final long saHandler;

  /**
   * Linux x86_64 with glibc. LayoutsTest compares every value with what glibc's headers say on
   * the host.
   */
  public static final PosixLayout LINUX_X86_64 = linux("Linux x86_64", 0200000);

  /**
   * Linux aarch64 with glibc: as x86_64 but for O_DIRECTORY (arm64's asm/fcntl.h). Checked by
   * LayoutsTest on an aarch64 host; written against Debian's glibc 2.36 arm64 headers.
   */
  public static final PosixLayout LINUX_AARCH64 = linux("Linux aarch64", 040000);

  /**
   * macOS on arm64 and x86_64, written from Apple's public headers (sys/fcntl.h, spawn.h,
   * sys/spawn.h, sys/signal.h, sys/wait.h, poll.h): untested on macOS. posix_spawnattr_t and
   * posix_spawn_file_actions_t are pointers there, which posix_spawnattr_init and
   * posix_spawn_file_actions_init point at memory of their own; sigset_t is 32 bits, one per
   * signal 1 to 31; struct sigaction has no sa_restorer.
   */
  public static final PosixLayout DARWIN = new PosixLayout("Darwin",
      0x200, 0x400, 0x8, 0x4, 0x100000, 0x1000000, // O_CREAT TRUNC APPEND NONBLOCK DIRECTORY CLOEXEC
      (short) 0x400, 1, 2, // POSIX_SPAWN_SETSID, SIG_BLOCK, SIG_UNBLOCK
      pointer("posix_spawnattr_t"), pointer("posix_spawn_file_actions_t"),
      MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("val")).withName("sigset_t"), 31,
      false, 104); // no sa_restorer; sizeof(siginfo_t)

  /**
   * O_RDONLY, O_WRONLY and O_RDWR are 0, 1 and 2, the spawn flags for process group, signal
   * defaults and mask are 2, 4 and 8, P_PID is 1, WEXITED 4 and POLLIN 1 on both OSes; the rest
   * differ and come as arguments.
   */
  private PosixLayout(String name, int oCreat, int oTrunc, int oAppend, int oNonblock,
      int oDirectory, int oCloexec, short setsid, int sigBlock, int sigUnblock,
      StructLayout spawnattr, StructLayout fileActions, StructLayout sigset, int maxSignal,
      boolean restorer, long siginfoSize) {
    this.name = name;
    O_RDONLY = 0;
    O_WRONLY = 1;
    O_RDWR = 2;
    O_CREAT = oCreat;
    O_TRUNC = oTrunc;
    O_APPEND = oAppend;
    O_NONBLOCK = oNonblock;
    O_DIRECTORY = oDirectory;
    O_CLOEXEC = oCloexec;
    POSIX_SPAWN_SETPGROUP = 0x02;
    POSIX_SPAWN_SETSIGDEF = 0x04;
    POSIX_SPAWN_SETSIGMASK = 0x08;
    POSIX_SPAWN_SETSID = setsid;
    SIG_BLOCK = sigBlock;
    SIG_UNBLOCK = sigUnblock;
    P_PID = 1;
    WEXITED = 4;
    POLLIN = 0x001;
    SPAWNATTR = spawnattr;
    FILE_ACTIONS = fileActions;
    SIGSET = sigset;
    this.maxSignal = maxSignal;
    SIGACTION = restorer
        ? MemoryLayout.structLayout(
                ValueLayout.ADDRESS.withName("sa_handler"),
                sigset.withName("sa_mask"),
                ValueLayout.JAVA_INT.withName("sa_flags"),
                MemoryLayout.paddingLayout(4),
                ValueLayout.ADDRESS.withName("sa_restorer"))
            .withName("sigaction")
        : MemoryLayout.structLayout(
                ValueLayout.ADDRESS.withName("sa_handler"),
                sigset.withName("sa_mask"),
                ValueLayout.JAVA_INT.withName("sa_flags"))
            .withName("sigaction");
    saHandler = SIGACTION.byteOffset(groupElement("sa_handler"));
    SIGINFO = opaque("siginfo_t", siginfoSize);
  }

  /** glibc's: the attributes, the file actions and sigset_t (1024 bits) are structs in place. */
  private static PosixLayout linux(String name, int oDirectory) {
    return new PosixLayout(name,
        0100, 01000, 02000, 04000, oDirectory, 02000000, // O_CREAT TRUNC APPEND NONBLOCK DIRECTORY CLOEXEC
        (short) 0x80, 0, 1, // POSIX_SPAWN_SETSID, SIG_BLOCK, SIG_UNBLOCK
        opaque("posix_spawnattr_t", 336), opaque("posix_spawn_file_actions_t", 80),
        MemoryLayout.structLayout(
                MemoryLayout.sequenceLayout(128 / 8, ValueLayout.JAVA_LONG).withName("val"))
            .withName("sigset_t"),
        64, true, 128); // signals in a sigset word, sa_restorer, sizeof(siginfo_t)
  }

  private static StructLayout opaque(String name, long size) {
    return MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(size / 8, ValueLayout.JAVA_LONG).withName("opaque"))
        .withName(name);
  }

  private static StructLayout pointer(String name) {
    return MemoryLayout.structLayout(ValueLayout.ADDRESS.withName("opaque")).withName(name);
  }

  /** The table for an {@code os.name} and {@code os.arch} pair, or null where there is none. */
  public static PosixLayout forPlatform(String osName, String osArch) {
    String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
    String arch = osArch == null ? "" : osArch;
    if (os.startsWith("linux")) {
      return switch (arch) {
        case "amd64", "x86_64" -> LINUX_X86_64;
        case "aarch64" -> LINUX_AARCH64;
        default -> null;
      };
    }
    if (os.startsWith("mac") || os.startsWith("darwin")) {
      return arch.equals("aarch64") || arch.equals("x86_64") ? DARWIN : null;
    }
    return null;
  }

  /** This JVM's table; throws where there is none, which the platform reports as a load failure. */
  public static PosixLayout current() {
    return Current.LAYOUT;
  }

  private static final class Current {
    static final PosixLayout LAYOUT = choose();

    private static PosixLayout choose() {
      String os = System.getProperty("os.name");
      String arch = System.getProperty("os.arch");
      PosixLayout layout = forPlatform(os, arch);
      if (layout == null) {
        throw new UnsupportedOperationException("no POSIX layout for " + os + " on " + arch);
      }
      return layout;
    }
  }

  /**
   * The first word of a {@code sigset_t} holding {@code signals}: glibc and Darwin keep signal n
   * in bit n - 1, and a word holds every signal (64 on Linux, 31 on Darwin; LayoutsTest checks
   * this against sigaddset). Written directly: sigaddset is a downcall per signal, on the spawn
   * path.
   */
  public long sigsetWord(IntPredicate signals) {
    long word = 0;
    for (int sig = 1; sig <= maxSignal; sig++) {
      if (signals.test(sig)) {
        word |= 1L << (sig - 1);
      }
    }
    return word;
  }

  /** Fills a zeroed {@link #SIGSET} with the word from {@link #sigsetWord}. */
  public void setSigset(MemorySegment set, long word) {
    if (SIGSET.byteSize() >= 8) {
      set.set(ValueLayout.JAVA_LONG, 0, word);
    } else {
      set.set(ValueLayout.JAVA_INT, 0, (int) word);
    }
  }

  /** The handler in a {@link #SIGACTION}: SIG_DFL (0), SIG_IGN (1) or a function's address. */
  public long saHandler(MemorySegment action) {
    return action.get(ValueLayout.JAVA_LONG, saHandler);
  }

  public void setSaHandler(MemorySegment action, long handler) {
    action.set(ValueLayout.JAVA_LONG, saHandler, handler);
  }

  /** {@code struct pollfd}, the same on every POSIX system: descriptor, events asked, events seen. */
  public static final StructLayout POLLFD =
      MemoryLayout.structLayout(
              ValueLayout.JAVA_INT.withName("fd"),
              ValueLayout.JAVA_SHORT.withName("events"),
              ValueLayout.JAVA_SHORT.withName("revents"))
          .withName("pollfd");

  private static final long POLL_EVENTS = POLLFD.byteOffset(groupElement("events"));

  private static final long POLL_REVENTS = POLLFD.byteOffset(groupElement("revents"));

  public static void setPollFd(MemorySegment p, int fd, int events) {
    p.set(ValueLayout.JAVA_INT, 0, fd);
    p.set(ValueLayout.JAVA_SHORT, POLL_EVENTS, (short) events);
    p.set(ValueLayout.JAVA_SHORT, POLL_REVENTS, (short) 0);
  }

  /** The events poll saw on {@code p}: readable, hung up or in error when not 0. */
  public static int pollRevents(MemorySegment p) {
    return p.get(ValueLayout.JAVA_SHORT, POLL_REVENTS);
  }

  @Override
  public String toString() {
    return "PosixLayout[" + name + "]";
  }
}
