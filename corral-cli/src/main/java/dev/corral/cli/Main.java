package dev.corral.cli;

import dev.corral.Capability;
import dev.corral.Containment;
import dev.corral.internal.cli.CliPlatform;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@code corral} command: {@code run} (GNU timeout's grammar), {@code tree} and {@code
 * doctor}. Installed or linked under the name {@code timeout}, it is {@code corral run}, speaking
 * as timeout. A thin layer: all process work is the library's.
 */
public final class Main {
  private Main() {}

  static final String VERSION = "0.1.0";

  public static void main(String[] args) {
    // First: with the launcher's pre-forked slot, the platform prepares it in the background
    // while the arguments are parsed.
    CliPlatform.get();
    Cli cli = Cli.fromLauncher();
    int status;
    try {
      status = run(cli, Arrays.asList(args));
      if (Boolean.getBoolean("corral.train")) {
        // bin/aot-cache's training: after the run in the launcher's slot, a spawned one.
        status = run(cli, List.of("run", "-k", "1", "5", "true"));
      }
    } catch (RuntimeException e) {
      // A bug or an unexpected refusal: still one line and the status of our own failure.
      cli.error("internal error: " + e);
      status = Timeout.CANCELED;
    }
    cli.flush();
    // What the JVM's exit would do for Corral, then halt: the JDK's own exit sequence sets up
    // its logging just to log the exit, which costs a CLI run a tenth of its time.
    CliPlatform.get().shutdown();
    Runtime.getRuntime().halt(status);
  }

  static int run(Cli cli, List<String> args) {
    if (cli.speaksAsTimeout()) {
      return timeout(cli, args, 0, "timeout");
    }
    if (args.isEmpty()) {
      cli.usageError("missing command: run, tree or doctor", "corral");
      return Timeout.CANCELED;
    }
    return switch (args.get(0)) {
      case "run" -> timeout(cli, args, 1, "corral run");
      case "tree" -> tree(cli, args.subList(1, args.size()));
      case "doctor" -> doctor();
      case "--help", "-h", "help" -> {
        System.out.print(Help.corral());
        yield 0;
      }
      case "--version" -> {
        System.out.println("corral " + VERSION);
        yield 0;
      }
      default -> {
        cli.usageError("unknown command " + Quote.of(args.get(0)), "corral");
        yield Timeout.CANCELED;
      }
    };
  }

  private static final GetOpt RUN_OPTIONS = new GetOpt("fk:ps:v", List.of(
      new GetOpt.LongOption("foreground", false, 'f'),
      new GetOpt.LongOption("kill-after", true, 'k'),
      new GetOpt.LongOption("preserve-status", false, 'p'),
      new GetOpt.LongOption("signal", true, 's'),
      new GetOpt.LongOption("verbose", false, 'v'),
      new GetOpt.LongOption("help", false, 'H'),
      new GetOpt.LongOption("version", false, 'V'),
      new GetOpt.LongOption("grace", true, 'g'),
      new GetOpt.LongOption("report", true, 'r'),
      new GetOpt.LongOption("containment", true, 'c'),
      new GetOpt.LongOption("leave-running", false, 'l')));

  /** {@code [OPTION]... DURATION COMMAND [ARG]...} from {@code args[from]} on. */
  static int timeout(Cli cli, List<String> args, int from, String shownAs) {
    Timeout.Options o = new Timeout.Options();
    GetOpt.Parsed parsed;
    try {
      parsed = RUN_OPTIONS.parse(args, from, found -> {
        switch (found.key()) {
          case 'f' -> o.foreground = true;
          case 'k', 'g' -> o.killAfter = Durations.parse(found.argument());
          case 'p' -> o.preserveStatus = true;
          case 's' -> o.signal = SignalArgs.parse(found.argument());
          case 'v' -> o.verbose = true;
          case 'r' -> o.report = Report.Target.parse(found.argument());
          case 'c' -> o.containment = containment(found.argument());
          case 'l' -> o.leaveRunning = true;
          case 'H' -> throw new GetOpt.Stop(help(cli, shownAs));
          case 'V' -> throw new GetOpt.Stop(version(cli));
          default -> throw new IllegalStateException("unhandled option " + found.spelled());
        }
      });
      if (args.size() - parsed.firstOperand() < 2) {
        // GNU timeout says only where help is; corral also says what is missing.
        cli.usageError(cli.speaksAsTimeout() ? null : args.size() == parsed.firstOperand()
            ? "missing operand" : "missing operand after " + Quote.of(args.get(parsed.firstOperand())),
            shownAs);
        return Timeout.CANCELED;
      }
      o.limit = Durations.parse(args.get(parsed.firstOperand()));
    } catch (GetOpt.Stop stop) {
      return stop.status();
    } catch (GetOpt.UsageError | IllegalArgumentException e) {
      cli.usageError(e.getMessage(), shownAs);
      return Timeout.CANCELED;
    }
    List<String> argv = args.subList(parsed.firstOperand() + 1, args.size());
    return new Timeout(cli, o, argv).run();
  }

  private static int help(Cli cli, String shownAs) {
    System.out.print(Help.run(shownAs, cli.speaksAsTimeout()));
    return 0;
  }

  private static int version(Cli cli) {
    System.out.println(cli.speaksAsTimeout() ? "timeout (Corral) " + VERSION : "corral " + VERSION);
    System.out.println("Runs a command under a deadline and ends its whole process tree.");
    return 0;
  }

  private static Containment containment(String mode) {
    return switch (mode.toLowerCase(Locale.ROOT)) {
      case "auto" -> Containment.AUTO;
      case "cgroup" -> Containment.CGROUP;
      case "group", "process-group" -> Containment.PROCESS_GROUP;
      case "portable" -> Containment.PORTABLE;
      default -> throw new IllegalArgumentException("invalid containment " + Quote.of(mode)
          + "; use auto, cgroup, group or portable");
    };
  }

  /** {@code corral tree [--json] PID}. */
  static int tree(Cli cli, List<String> args) {
    boolean json = false;
    String pidText = null;
    for (String a : args) {
      if (a.equals("--json")) {
        json = true;
      } else if (a.equals("--help")) {
        System.out.print(Help.tree());
        return 0;
      } else if (pidText == null && !a.startsWith("-")) {
        pidText = a;
      } else {
        cli.usageError("unexpected argument " + Quote.of(a), "corral tree");
        return Timeout.CANCELED;
      }
    }
    int pid;
    try {
      pid = Integer.parseInt(pidText == null ? "" : pidText);
    } catch (NumberFormatException e) {
      cli.usageError(pidText == null ? "missing PID" : "invalid PID " + Quote.of(pidText), "corral tree");
      return Timeout.CANCELED;
    }
    TreeView view = new TreeView(CliPlatform.get().processes());
    if (!view.has(pid)) {
      cli.error("no process " + pid);
      return 1;
    }
    System.out.print(json ? view.json(pid) + "\n" : view.text(pid));
    return 0;
  }

  /** Prints what containment works here and why the rest does not; 0 when full containment works. */
  static int doctor() {
    for (Capability c : Capability.probe()) {
      System.out.printf("%-4s %-19s %s%n", c.available() ? "ok" : "NO", c.name(), c.detail());
    }
    boolean full = Capability.fullContainment();
    boolean group = Capability.probe().stream()
        .anyMatch(c -> c.name().equals("process-group") && c.available());
    System.out.println(full ? "full containment available (cgroup v2)"
        : group ? "only process-group containment: see the cgroup line for why"
        : "only portable containment, best effort: see the lines above for why");
    return full ? 0 : 1;
  }
}
