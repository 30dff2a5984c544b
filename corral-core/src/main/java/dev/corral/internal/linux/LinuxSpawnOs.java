package dev.corral.internal.linux;

import dev.corral.internal.posix.PosixSpawn;
import java.lang.foreign.MemorySegment;

/** What every Linux spawn adds to the shared one: glibc's closefrom action, fcntl's check. */
abstract class LinuxSpawnOs<T> implements PosixSpawn.Os<T> {
  private static final int F_GETFD = 1;

  @Override
  public void addCloseFrom(MemorySegment fileActions, int lowest) {
    LibC.fileActionsAddClosefrom(fileActions, lowest);
  }

  @Override
  public boolean isOpen(int fd) {
    return LibC.fcntlQuiet(fd, F_GETFD, 0) >= 0;
  }
}
