package dev.corral.internal.posix;

import dev.corral.Command;
import dev.corral.CorralException;
import dev.corral.internal.NativeException;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.IntPredicate;

/**
 * The file actions that give a child the descriptors its command passes ({@link
 * Command#passDescriptor(int, int)}) and close every other one above 2.
 *
 * <p>The actions run in order in the child, on its copy of the JVM's table, so any number may be
 * overwritten there. First each passed descriptor is copied to a scratch number: the lowest from
 * 3 up that is none of the numbers in play (the passed ones, their targets, the stdio ends), so
 * that neither the stdio dup2s nor one mapping can clobber another's source, and a descriptor
 * passed as itself loses its close-on-exec. After the stdio dup2s, each scratch copy moves to its
 * number, then every other number from 3 to the highest passed one is closed (glibc ignores
 * closing one that is not open, the scratch copies included), and everything above it. So
 * nothing is listed or raced for: a descriptor another JVM thread opens meanwhile is closed in the
 * child like any other. Numbers stay low, below the descriptor limit, whatever the JVM holds.
 *
 * <p>Cost: one close action per number between 3 and the highest target that is not passed,
 * which a target in the tens of thousands makes noticeable.
 */
final class PassedDescriptors {
  private final int[] targets;
  private final int[] sources;
  private final int[] scratch;
  private final int highest;
  private final int gateFd;

  /** For the usual command, which passes nothing: the one closefrom action, nothing made. */
  private static final PassedDescriptors NONE = new PassedDescriptors(java.util.Collections.emptySortedMap());

  /** The actions for {@code passed}, given the stdio ends the spawn dup2s from. */
  static PassedDescriptors of(SortedMap<Integer, Integer> passed, int in, int out, int err) {
    return passed.isEmpty() ? NONE : new PassedDescriptors(passed, in, out, err);
  }

  private PassedDescriptors(SortedMap<Integer, Integer> passed, int... stdioEnds) {
    int n = passed.size();
    targets = new int[n];
    sources = new int[n];
    Set<Integer> inPlay = new HashSet<>();
    int i = 0;
    for (Map.Entry<Integer, Integer> e : passed.entrySet()) {
      targets[i] = e.getKey();
      sources[i] = e.getValue();
      inPlay.add(targets[i]);
      inPlay.add(sources[i]);
      i++;
    }
    for (int end : stdioEnds) {
      inPlay.add(end);
    }
    scratch = new int[n];
    int next = 3;
    for (i = 0; i < n; i++) {
      while (inPlay.contains(next)) {
        next++;
      }
      scratch[i] = next++;
    }
    highest = n == 0 ? 2 : targets[n - 1];
    // The gate's FIFO goes on the first number the close actions freed, else just above them.
    int gap = 3;
    for (i = 0; i < n && targets[i] == gap; i++) {
      gap++;
    }
    gateFd = gap;
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
  void addCopies(MemorySegment fileActions, Command command) {
    for (int i = 0; i < sources.length; i++) {
      try {
        PosixLibC.fileActionsAddDup2(fileActions, sources[i], scratch[i]);
      } catch (NativeException e) {
        throw refused(command, sources[i], targets[i], e);
      }
    }
  }

  /**
   * After the stdio dup2s: each copy to its number, then every other descriptor from 3 up
   * closed. Returns a number left free, for the gate.
   */
  int addPlacesAndCloses(MemorySegment fileActions, PosixSpawn.Os<?> os, Command command) {
    for (int i = 0; i < targets.length; i++) {
      try {
        PosixLibC.fileActionsAddDup2(fileActions, scratch[i], targets[i]);
      } catch (NativeException e) {
        throw refused(command, sources[i], targets[i], e);
      }
    }
    int next = 0;
    for (int fd = 3; fd < highest; fd++) {
      if (next < targets.length && targets[next] == fd) {
        next++;
      } else {
        PosixLibC.fileActionsAddClose(fileActions, fd);
      }
    }
    try {
      os.addCloseFrom(fileActions, highest + 1);
    } catch (NativeException e) {
      // highest is the last number the descriptor limit allows (glibc refuses one past it):
      // nothing above it can be open, but one opened before the limit was lowered.
      if (targets.length == 0) {
        throw e;
      }
    }
    return gateFd;
  }

  /** glibc refuses numbers at or above the descriptor limit (EBADF). */
  private CorralException refused(Command command, int fd, int as, NativeException e) {
    return new CorralException(CorralException.Reason.BAD_REDIRECT, command.toString(),
        "descriptor " + fd + " cannot be passed as " + as + ": " + e.getMessage()
            + " (at or above this process's descriptor limit?)", e.errno(), e);
  }
}
