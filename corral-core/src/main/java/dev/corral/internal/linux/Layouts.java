package dev.corral.internal.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * C struct layouts for Linux x86_64 and aarch64 with glibc. Never guessed: {@code LayoutsTest}
 * compiles a C probe and compares every size and offset used here.
 */
final class Layouts {
  private Layouts() {}

  /** {@code posix_spawnattr_t}: opaque, only its size and alignment matter. */
  static final StructLayout SPAWNATTR =
      MemoryLayout.structLayout(
              MemoryLayout.sequenceLayout(336 / 8, ValueLayout.JAVA_LONG).withName("opaque"))
          .withName("posix_spawnattr_t");

  /** {@code posix_spawn_file_actions_t}: opaque. */
  static final StructLayout FILE_ACTIONS =
      MemoryLayout.structLayout(
              MemoryLayout.sequenceLayout(80 / 8, ValueLayout.JAVA_LONG).withName("opaque"))
          .withName("posix_spawn_file_actions_t");

  /** {@code sigset_t}: glibc reserves 1024 bits. */
  static final StructLayout SIGSET =
      MemoryLayout.structLayout(
              MemoryLayout.sequenceLayout(128 / 8, ValueLayout.JAVA_LONG).withName("val"))
          .withName("sigset_t");

  /**
   * The first word of a {@code sigset_t} holding {@code signals}: glibc keeps signal n in bit
   * n - 1, and Linux numbers signals 1 to 64, so one word holds them all (LayoutsTest checks this
   * against sigaddset). Written directly: sigaddset is a downcall per signal, on the spawn path.
   */
  static long sigsetWord(java.util.function.IntPredicate signals) {
    long word = 0;
    for (int sig = 1; sig <= 64; sig++) {
      if (signals.test(sig)) {
        word |= 1L << (sig - 1);
      }
    }
    return word;
  }

  /** Fills a zeroed {@link #SIGSET} with the word from {@link #sigsetWord}. */
  static void setSigset(MemorySegment set, long word) {
    set.set(ValueLayout.JAVA_LONG, 0, word);
  }

  /**
   * {@code struct epoll_event}: packed on x86_64 (12 bytes), naturally aligned elsewhere (16).
   * Corral stores the watched descriptor in the data union.
   */
  static final StructLayout EPOLL_EVENT = epollEvent();

  // Fields are read and written by offset, not through VarHandles: each VarHandle costs a few
  // milliseconds of generated code at start-up, which every CLI call would pay.
  private static final long EPOLL_EVENTS = EPOLL_EVENT.byteOffset(groupElement("events"));
  private static final long EPOLL_DATA = EPOLL_EVENT.byteOffset(groupElement("data"));

  static int epollEvents(MemorySegment e) {
    return e.get(ValueLayout.JAVA_INT, EPOLL_EVENTS);
  }

  /** The descriptor Corral stores in the data union. */
  static int epollFd(MemorySegment e) {
    return (int) e.get(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_DATA);
  }

  static void setEpollEvent(MemorySegment e, int events, int fd) {
    e.set(ValueLayout.JAVA_INT, EPOLL_EVENTS, events);
    e.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_DATA, fd);
  }

  /** glibc's {@code struct sigaction} (not the kernel's): handler, mask, flags, restorer. */
  static final StructLayout SIGACTION =
      MemoryLayout.structLayout(
              ValueLayout.ADDRESS.withName("sa_handler"),
              SIGSET.withName("sa_mask"),
              ValueLayout.JAVA_INT.withName("sa_flags"),
              MemoryLayout.paddingLayout(4),
              ValueLayout.ADDRESS.withName("sa_restorer"))
          .withName("sigaction");

  private static final long SA_HANDLER = SIGACTION.byteOffset(groupElement("sa_handler"));

  /** The handler: SIG_DFL (0), SIG_IGN (1) or a function's address. */
  static long saHandler(MemorySegment action) {
    return action.get(ValueLayout.JAVA_LONG, SA_HANDLER);
  }

  static void setSaHandler(MemorySegment action, long handler) {
    action.set(ValueLayout.JAVA_LONG, SA_HANDLER, handler);
  }

  /** {@code struct pollfd}: the descriptor, the events asked for, the events seen. */
  static final StructLayout POLLFD =
      MemoryLayout.structLayout(
              ValueLayout.JAVA_INT.withName("fd"),
              ValueLayout.JAVA_SHORT.withName("events"),
              ValueLayout.JAVA_SHORT.withName("revents"))
          .withName("pollfd");

  private static final long POLL_EVENTS = POLLFD.byteOffset(groupElement("events"));

  static void setPollFd(MemorySegment p, int fd, int events) {
    p.set(ValueLayout.JAVA_INT, 0, fd);
    p.set(ValueLayout.JAVA_SHORT, POLL_EVENTS, (short) events);
  }

  /** The leading fields of {@code siginfo_t} that waitid fills for SIGCHLD, padded to 128 bytes. */
  static final StructLayout SIGINFO =
      MemoryLayout.structLayout(
              ValueLayout.JAVA_INT.withName("si_signo"),
              ValueLayout.JAVA_INT.withName("si_errno"),
              ValueLayout.JAVA_INT.withName("si_code"),
              MemoryLayout.paddingLayout(4),
              ValueLayout.JAVA_INT.withName("si_pid"),
              ValueLayout.JAVA_INT.withName("si_uid"),
              ValueLayout.JAVA_INT.withName("si_status"),
              MemoryLayout.paddingLayout(128 - 28))
          .withName("siginfo_t");

  private static final long SI_CODE = SIGINFO.byteOffset(groupElement("si_code"));
  private static final long SI_PID = SIGINFO.byteOffset(groupElement("si_pid"));
  private static final long SI_STATUS = SIGINFO.byteOffset(groupElement("si_status"));

  static int siCode(MemorySegment info) {
    return info.get(ValueLayout.JAVA_INT, SI_CODE);
  }

  static int siPid(MemorySegment info) {
    return info.get(ValueLayout.JAVA_INT, SI_PID);
  }

  static int siStatus(MemorySegment info) {
    return info.get(ValueLayout.JAVA_INT, SI_STATUS);
  }

  private static StructLayout epollEvent() {
    boolean packed = "amd64".equals(System.getProperty("os.arch"))
        || "x86_64".equals(System.getProperty("os.arch"));
    if (packed) {
      return MemoryLayout.structLayout(
              ValueLayout.JAVA_INT.withName("events"),
              ValueLayout.JAVA_LONG_UNALIGNED.withName("data"))
          .withName("epoll_event");
    }
    return MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("events"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.JAVA_LONG.withName("data"))
        .withName("epoll_event");
  }
}
