package dev.corral.internal;

import dev.corral.CorralException;
import dev.corral.CorralException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the program to execute the way execvp(3) does, so that "not found", "not executable" and
 * "a directory" are told apart before the spawn. The kernel still has the last word at exec time.
 */
public final class Executables {
  private Executables() {}

  /** execvp's search path when PATH is unset (confstr _CS_PATH on glibc). */
  public static final String DEFAULT_PATH = "/bin:/usr/bin";

  /**
   * Like {@link #resolve}, but a program named with a slash is only resolved against {@code
   * directory}, not checked: exec will say if it cannot run, and the caller then asks {@link
   * #resolve} why. This saves three file system calls on every spawn of such a program.
   */
  public static Path locate(String program, String path, Path directory,
      java.util.function.Supplier<String> command) {
    if (program.indexOf('/') >= 0) {
      return directory.resolve(program);
    }
    return resolve(program, path, directory, command.get());
  }

  /**
   * @param program argv[0]
   * @param path the PATH to search, or null for {@link #DEFAULT_PATH}
   * @param directory the child's working directory, against which a relative path with a slash
   *     is resolved
   * @param command the command, for messages
   */
  public static Path resolve(String program, String path, Path directory, String command) {
    if (program.indexOf('/') >= 0) {
      Path p = directory.resolve(program);
      String problem = problem(p);
      if (problem != null) {
        throw new CorralException(reasonFor(problem), command, program + ": " + problem, 0, null);
      }
      return p;
    }
    boolean sawUnexecutable = false;
    for (String dir : (path == null ? DEFAULT_PATH : path).split(":", -1)) {
      Path p = (dir.isEmpty() ? directory : directory.resolve(dir)).resolve(program);
      String problem = problem(p);
      if (problem == null) {
        return p;
      }
      if (!problem.equals(NOT_FOUND)) {
        sawUnexecutable = true;
      }
    }
    if (sawUnexecutable) {
      throw new CorralException(Reason.NOT_EXECUTABLE, command,
          "found " + searched(path) + ", but not executable", 0, null);
    }
    throw new CorralException(Reason.NOT_FOUND, command, "not found " + searched(path), 0, null);
  }

  /** Shorter than this, a PATH is worth showing in a message; longer, its length is. */
  private static final int SHOWN_PATH = 120;

  /** Where a program was looked for, for a message: the PATH itself only when it is short. */
  static String searched(String path) {
    if (path == null) {
      return "on the default search path " + DEFAULT_PATH + " (PATH is not set)";
    }
    if (path.isEmpty()) {
      return "in the working directory (PATH is empty)";
    }
    int dirs = path.split(":", -1).length;
    return path.length() <= SHOWN_PATH ? "on PATH " + path
        : "in any of the " + dirs + " directories on PATH";
  }

  private static final String NOT_FOUND = "No such file or directory";
  private static final String IS_DIRECTORY = "Is a directory";
  private static final String NOT_EXECUTABLE = "Permission denied (not executable)";

  private static String problem(Path p) {
    if (!Files.exists(p)) {
      return NOT_FOUND;
    }
    if (Files.isDirectory(p)) {
      return IS_DIRECTORY;
    }
    if (!Files.isExecutable(p)) {
      return NOT_EXECUTABLE;
    }
    return null;
  }

  private static Reason reasonFor(String problem) {
    return switch (problem) {
      case NOT_FOUND -> Reason.NOT_FOUND;
      case IS_DIRECTORY -> Reason.IS_DIRECTORY;
      default -> Reason.NOT_EXECUTABLE;
    };
  }
}
