package dev.corral.internal.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

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
   * {@code struct epoll_event}: packed on x86_64 (12 bytes), naturally aligned elsewhere (16).
   * Corral stores the watched descriptor in the data union.
   */
  static final StructLayout EPOLL_EVENT = epollEvent();

  static final VarHandle EPOLL_EVENTS = EPOLL_EVENT.varHandle(groupElement("events"));
  static final VarHandle EPOLL_DATA = EPOLL_EVENT.varHandle(groupElement("data"));

  /** glibc's {@code struct sigaction} (not the kernel's): handler, mask, flags, restorer. */
  static final StructLayout SIGACTION =
      MemoryLayout.structLayout(
              ValueLayout.ADDRESS.withName("sa_handler"),
              SIGSET.withName("sa_mask"),
              ValueLayout.JAVA_INT.withName("sa_flags"),
              MemoryLayout.paddingLayout(4),
              ValueLayout.ADDRESS.withName("sa_restorer"))
          .withName("sigaction");

  static final VarHandle SA_HANDLER = SIGACTION.varHandle(groupElement("sa_handler"));

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

  static final VarHandle SI_CODE = SIGINFO.varHandle(groupElement("si_code"));
  static final VarHandle SI_PID = SIGINFO.varHandle(groupElement("si_pid"));
  static final VarHandle SI_STATUS = SIGINFO.varHandle(groupElement("si_status"));

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
