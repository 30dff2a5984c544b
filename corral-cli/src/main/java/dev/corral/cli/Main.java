package dev.corral.cli;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.CorralException;
import dev.corral.Output;
import dev.corral.Result;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code corral run [--grace=D] [--containment=auto|cgroup|group] [-v] DURATION COMMAND [ARG]...}
 *
 * <p>A first, small command line over the library; the full GNU timeout grammar comes with the
 * CLI issue. Exit status: the command's, 124 on timeout, 125 for Corral's own errors, 126 when the
 * command cannot run, 127 when it is not found, 128+N when a signal ended it.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.println(USAGE);
      return args.length == 0 ? 125 : 0;
    }
    if (args[0].equals("doctor")) {
      return doctor();
    }
    if (!args[0].equals("run")) {
      return fail("unknown command '" + args[0] + "'; try 'corral --help'");
    }
    Duration grace = Command.DEFAULT_GRACE;
    Containment containment = Containment.AUTO;
    boolean verbose = false;
    int i = 1;
    try {
      for (; i < args.length && args[i].startsWith("-"); i++) {
        String a = args[i];
        if (a.startsWith("--grace=")) {
          grace = Durations.parse(a.substring(8));
        } else if (a.startsWith("--containment=")) {
          containment = switch (a.substring(14).toLowerCase(Locale.ROOT)) {
            case "auto" -> Containment.AUTO;
            case "cgroup" -> Containment.CGROUP;
            case "group" -> Containment.PROCESS_GROUP;
            default -> throw new IllegalArgumentException("unknown containment '" + a.substring(14) + "'");
          };
        } else if (a.equals("-v") || a.equals("--verbose")) {
          verbose = true;
        } else if (a.equals("--")) {
          i++;
          break;
        } else {
          throw new IllegalArgumentException("unknown option '" + a + "'");
        }
      }
      if (args.length - i < 2) {
        throw new IllegalArgumentException("missing " + (args.length - i == 0 ? "duration" : "command"));
      }
      Duration limit = Durations.parse(args[i]);
      List<String> argv = Arrays.asList(args).subList(i + 1, args.length);
      Command command = Command.of(argv).stdout(Output.inherit()).stderr(Output.inherit())
          .stdin(dev.corral.Input.inherit()).grace(grace).containment(containment);
      if (!limit.isZero()) {
        command = command.deadline(limit);
      }
      Result r = command.run();
      if (verbose || !r.teardown().clean()) {
        System.err.println("corral: " + r);
      }
      if (r.timedOut()) {
        return 124;
      }
      return r.status();
    } catch (CorralException e) {
      System.err.println("corral: " + e.getMessage());
      return switch (e.reason()) {
        case NOT_FOUND -> 127;
        case NOT_EXECUTABLE, IS_DIRECTORY -> 126;
        default -> 125;
      };
    } catch (IllegalArgumentException e) {
      return fail(e.getMessage());
    }
  }

  /** Prints what containment works here and why the rest does not; 0 when cgroups work. */
  static int doctor() {
    for (dev.corral.Capability c : dev.corral.Capability.probe()) {
      System.out.printf("%-4s %-19s %s%n", c.available() ? "ok" : "NO", c.name(), c.detail());
    }
    boolean full = dev.corral.Capability.fullContainment();
    System.out.println(full ? "full containment available (cgroup v2)"
        : "only process-group containment: see the cgroup line for why");
    return full ? 0 : 1;
  }

  private static int fail(String message) {
    System.err.println("corral: " + message);
    return 125;
  }

  private static final String USAGE = """
      Usage: corral run [OPTION]... DURATION COMMAND [ARG]...
         or: corral doctor
      Run COMMAND; when DURATION passes, end its whole process tree: the stop signal (TERM),
      a grace period, then KILL, and verify that nothing survived.

        --grace=DURATION        time between TERM and KILL (default 2s)
        --containment=MODE      auto, cgroup or group (default auto)
        -v, --verbose           print the result and teardown report to stderr

      DURATION is a number with an optional suffix s, m, h or d; 0 means no limit.
      Exit status: 124 on timeout, 125 for corral's own errors, 126 if COMMAND cannot run,
      127 if it is not found, else the status of COMMAND.

      Example: corral run 5s sh -c 'sleep 60 & setsid sleep 60 & sleep 60'""";
}
