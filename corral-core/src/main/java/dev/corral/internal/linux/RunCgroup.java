package dev.corral.internal.linux;

import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * A run's cgroup directory, with the two files every run touches held open: {@code cgroup.procs},
 * where the spawn gate places the child, and {@code cgroup.events}, read for "populated". Opening
 * a cgroupfs file costs several times the read or write it serves (about 7 µs against 1 on these
 * machines), and a spare cgroup keeps its descriptors from run to run.
 */
final class RunCgroup {
  final Path dir;
  private final int procs;
  private final int events;
  /** The directory itself, for kernel placement; -1 where the gate places children. */
  private final int dirFd;
  private boolean closed;

  private RunCgroup(Path dir, int procs, int events, int dirFd) {
    this.dir = dir;
    this.procs = procs;
    this.events = events;
    this.dirFd = dirFd;
  }

  /** Opens the files of {@code dir}, which must be a cgroup Corral created. */
  static RunCgroup open(Path dir) {
    Path procsFile = dir.resolve("cgroup.procs");
    CgroupFs.checkOwned(procsFile);
    try (Arena arena = Arena.ofConfined()) {
      int procs = LibC.open(arena.allocateFrom(procsFile.toString()), PosixLibC.O_WRONLY | PosixLibC.O_CLOEXEC, 0);
      if (procs < 0) {
        throw Errors.fail("open", procsFile.toString(), -procs);
      }
      Path eventsFile = dir.resolve("cgroup.events");
      int events = LibC.open(arena.allocateFrom(eventsFile.toString()), PosixLibC.O_RDONLY | PosixLibC.O_CLOEXEC, 0);
      if (events < 0) {
        PosixLibC.close(procs);
        throw Errors.fail("open", eventsFile.toString(), -events);
      }
      int dirFd = -1;
      if (KernelPlacement.AVAILABLE) {
        dirFd = LibC.open(arena.allocateFrom(dir.toString()),
            PosixLibC.O_RDONLY | PosixLibC.O_DIRECTORY | PosixLibC.O_CLOEXEC, 0);
        if (dirFd < 0) {
          PosixLibC.close(procs);
          PosixLibC.close(events);
          throw Errors.fail("open", dir.toString(), -dirFd);
        }
      }
      return new RunCgroup(dir, procs, events, dirFd);
    }
  }

  /** Moves {@code pid} into this cgroup: 0, or a negated errno. */
  int place(int pid) {
    return CgroupFs.tryWrite(procs, Integer.toString(pid));
  }

  /** The text of cgroup.events, or null if it cannot be read. */
  String events() {
    return ProcTable.readFrom(events, false);
  }

  /**
   * cgroup.events' descriptor, to watch for EPOLLPRI: the kernel flags it when the file changes,
   * until it is read again through {@link #events}, so every read acknowledges what came before.
   */
  int dirFd() {
    return dirFd;
  }

  int eventsFd() {
    return events;
  }

  /** Whether the kernel counts a live process in this cgroup or below; zombies do not count. */
  boolean populated() {
    return CgroupFs.keyed(events(), "populated") != 0;
  }

  /** Closes the descriptors, once; the directory stays. */
  synchronized void close() {
    if (!closed) {
      closed = true;
      PosixLibC.close(procs);
      PosixLibC.close(events);
      if (dirFd >= 0) {
        PosixLibC.close(dirFd);
      }
    }
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
