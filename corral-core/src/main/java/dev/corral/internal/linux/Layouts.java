package dev.corral.internal.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * C struct layouts only Linux has, for x86_64 and aarch64 with glibc; the POSIX ones are in {@link
 * dev.corral.internal.posix.PosixLayout}. Never guessed: {@code LayoutsTest} compiles a C probe
 * and compares every size and offset used here.
 */
final class Layouts {
  private Layouts() {}

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
