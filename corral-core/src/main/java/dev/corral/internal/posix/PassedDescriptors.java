package dev.corral.internal.posix;

import dev.corral.Command;
import dev.corral.CorralException;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.IntPredicate;

/**
 * The file actions that give a child the descriptors its command passes ({@link
 * Command#passDescriptor(int, int)}) and close every other one above 2.
 *
 * <p>The actions run in order in the child, on its copy of the JVM's table, so any number may be
 * overwritten there. First each passed descriptor is copied to a scratch number above every
 * number in play (the passed ones, their targets, the stdio ends), so that neither the stdio
 * dup2s nor one mapping can clobber another's source, and a descriptor passed as itself loses its
 * close-on-exec. After the stdio dup2s, each scratch copy moves to its number, then every other
 * number from 3 to the highest passed one is closed (glibc ignores closing one that is not open),
 * and everything above it. So nothing is listed or raced for: a descriptor another JVM thread
 * opens meanwhile is closed in the child like any other.
 */
final class PassedDescriptors {
  private final int[] targets;
  private final int[] sources;
  private final int scratch;
  private final int highest;

  PassedDescriptors(SortedMap<Integer, Integer> passed, int... stdioEnds) {
    targets = new int[passed.size()];
    sources = new int[passed.size()];
    int i = 0;
    int top = 2;
    for (Map.Entry<Integer, Integer> e : passed.entrySet()) {
      targets[i] = e.getKey();
      sources[i] = e.getValue();
      top = Math.max(top, Math.max(targets[i], sources[i]));
      i++;
    }
    highest = targets.length == 0 ? 2 : targets[targets.length - 1];
    for (int end : stdioEnds) {
      top = Math.max(top, end);
    }
    scratch = top + 1;
  }

  /** Refuses a command whose passed descriptors are not all open here: nothing is started. */
  static void check(Command command, IntPredicate isOpen) {
    for (Map.Entry<Integer, Integer> e : command.passedDescriptors().entrySet()) {
      if (!isOpen.test(e.getValue())) {
        throw new CorralException(CorralException.Reason.BAD_REDIRECT, command.toString(),
            "descriptor " + e.getValue() + " (to be passed as " + e.getKey()
                + ") is not open in this process", 0, null);
      }
    }
  }

  /** First of all: each passed descriptor to its scratch number. */
  void addCopies(MemorySegment fileActions) {
    for (int i = 0; i < sources.length; i++) {
      PosixLibC.fileActionsAddDup2(fileActions, sources[i], scratch + i);
    }
  }

  /**
   * After the stdio dup2s: each copy to its number, then every other descriptor from 3 up
   * closed. Returns the lowest number left free above them, for the gate.
   */
  int addPlacesAndCloses(MemorySegment fileActions, PosixSpawn.Os<?> os) {
    int next = 0;
    for (int i = 0; i < targets.length; i++) {
      PosixLibC.fileActionsAddDup2(fileActions, scratch + i, targets[i]);
    }
    for (int fd = 3; fd < highest; fd++) {
      if (next < targets.length && targets[next] == fd) {
        next++;
      } else {
        PosixLibC.fileActionsAddClose(fileActions, fd);
      }
    }
    os.addCloseFrom(fileActions, highest + 1);
    return highest + 1;
  }
}
