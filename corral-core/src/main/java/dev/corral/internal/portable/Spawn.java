package dev.corral.internal.portable;

import dev.corral.Command;
import dev.corral.CorralException.Reason;
import dev.corral.CorralException;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.internal.Executables;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts a command with {@link ProcessBuilder}: argv, directory, environment with the run's
 * marker, and the streams as redirects or pipes. Failures become a {@link CorralException} with
 * the reason a caller acts on, as the native spawner gives them.
 *
 * <p>Limits: files and FIFOs are opened by the JDK on the calling thread, so a FIFO without its
 * other end blocks the start beyond the deadline and the caller's interrupt. On POSIX the program
 * is looked up on the child's PATH as execvp(3) does (the JDK would use the JVM's); when that
 * differs from the JVM's PATH, the child sees the full path as its argv[0].
 */
final class Spawn {
  private Spawn() {}

  private static final boolean POSIX = File.separatorChar == '/';
  private static final Pattern ERROR = Pattern.compile("error=(\\d+)");

  /** Starts {@code command} with {@code CORRAL_RUN=marker}; nothing is left behind on a failure. */
  static Process start(Command command, String marker) {
    Path dir = command.directory().orElse(null);
    if (dir != null && !Files.isDirectory(dir)) {
      throw new CorralException(Reason.BAD_DIRECTORY, command.toString(),
          "working directory " + dir + (Files.exists(dir) ? " is not a directory" : " does not exist"),
          0, null);
    }
    Map<String, String> environment = command.environment();
    List<String> argv = new ArrayList<>(command.argv());
    String program = argv.get(0);
    Path base = dir != null ? dir : Path.of("").toAbsolutePath();
    if (POSIX && program.indexOf('/') < 0
        && !Objects.equals(environment.get("PATH"), System.getenv("PATH"))) {
      argv.set(0, Executables.resolve(program, environment.get("PATH"), base, command.toString()).toString());
    }
    ProcessBuilder pb = new ProcessBuilder(argv);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    Map<String, String> env = pb.environment();
    env.clear();
    env.putAll(environment);
    env.put(PortablePlatform.MARKER, marker);
    pb.redirectInput(switch (command.stdin()) {
      case Input.Inherit i -> ProcessBuilder.Redirect.INHERIT;
      case Input.FromFile f -> ProcessBuilder.Redirect.from(f.path().toFile());
      default -> ProcessBuilder.Redirect.PIPE; // none: closed at once; bytes: fed by the run
    });
    pb.redirectOutput(redirect(command.stdout()));
    if (command.stderr() instanceof Output.ToStdout) {
      pb.redirectErrorStream(true);
    } else {
      pb.redirectError(redirect(command.stderr()));
    }
    try {
      return pb.start();
    } catch (IOException e) {
      throw explain(command, environment.get("PATH"), base, e);
    }
  }

  private static ProcessBuilder.Redirect redirect(Output output) {
    return switch (output) {
      case Output.Inherit i -> ProcessBuilder.Redirect.INHERIT;
      case Output.Discard d -> ProcessBuilder.Redirect.DISCARD;
      case Output.ToFile f -> f.append() ? ProcessBuilder.Redirect.appendTo(f.path().toFile())
          : ProcessBuilder.Redirect.to(f.path().toFile());
      default -> ProcessBuilder.Redirect.PIPE; // capture, lines, chunks
    };
  }

  /**
   * Why the JDK could not start it. The JDK wraps every failure as "Cannot run program": a file
   * it could not open for a redirect is the cause's FileNotFoundException; an exec failure says
   * "error=N" with the OS's error number.
   */
  private static CorralException explain(Command command, String path, Path base, IOException e) {
    String shown = command.toString();
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    if (cause instanceof FileNotFoundException) {
      return new CorralException(Reason.BAD_REDIRECT, shown, cause.getMessage(), 0, e);
    }
    Matcher m = ERROR.matcher(String.valueOf(e.getMessage()));
    int errno = m.find() ? Integer.parseInt(m.group(1)) : 0;
    if (POSIX) {
      // Says "not found", "not executable" or "a directory" the way the native tier does.
      Executables.resolve(command.argv().get(0), path, base, shown);
    }
    return new CorralException(reason(errno), shown, "cannot start: " + e.getMessage(), errno, e);
  }

  /** The reason for an exec error number, on POSIX (Linux and BSD numbers) or Windows. */
  static Reason reason(int errno) {
    if (!POSIX) {
      return switch (errno) {
        case 2, 3 -> Reason.NOT_FOUND;
        case 5, 193 -> Reason.NOT_EXECUTABLE;
        case 206 -> Reason.ARGUMENT_LIST_TOO_LONG;
        case 8, 14 -> Reason.RESOURCE_LIMIT;
        default -> Reason.SYSTEM;
      };
    }
    return switch (errno) {
      case 2, 20 -> Reason.NOT_FOUND; // ENOENT (a missing interpreter too), ENOTDIR
      case 8, 13, 36, 40, 62 -> Reason.NOT_EXECUTABLE; // ENOEXEC, EACCES, names and loops
      case 21 -> Reason.IS_DIRECTORY;
      case 7 -> Reason.ARGUMENT_LIST_TOO_LONG;
      case 11, 35, 12, 23, 24 -> Reason.RESOURCE_LIMIT; // EAGAIN (Linux, BSD), ENOMEM, ENFILE, EMFILE
      default -> Reason.SYSTEM;
    };
  }
}
