package dev.corral.cli;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.CorralException;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.Result;
import dev.corral.Run;
import dev.corral.Signal;
import dev.corral.internal.cli.CliPlatform;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * GNU timeout's semantics over Corral's containment: {@code [OPTION]... DURATION COMMAND [ARG]...}.
 *
 * <p>At the deadline the stop signal goes to the whole tree, not only to the command and its
 * process group; {@code -k} sends SIGKILL that long after. Without {@code -k} the command may
 * take as long as it likes to exit, as with GNU, but what it leaves behind is killed 2 s after it
 * exits. Signals this process receives are forwarded the same way. When it returns, nothing the
 * command started is alive, unless {@code --leave-running} says otherwise.
 */
final class Timeout {
  static final int TIMED_OUT = 124;
  static final int CANCELED = 125;
  static final int CANNOT_INVOKE = 126;
  static final int NOT_FOUND = 127;

  private static final int SIGALRM = 14;
  private static final int SIGKILL = 9;
  private static final int SIGCHLD = 17;
  private static final int SIGTTIN = 21;
  private static final int SIGTTOU = 22;

  /**
   * The signals that end a process by default and that GNU timeout forwards (its term_sig list),
   * less PIPE: the JVM raises PIPE on itself when stderr is a closed pipe, and forwarding it would
   * announce it on that same stderr, again and again.
   */
  private static final int[] FORWARDED = {14, 2, 3, 1, 15, 10, 12, 4, 5, 6, 7, 8, 11, 24, 25,
      31, 26, 27, 29, 30, 16};

  private final Options options;
  private final List<String> argv;
  private final Cli cli;
  private final Object lock = new Object();
  private Run run;
  private boolean timedOut;
  private boolean stopStarted;
  private long killAtNanos;
  private boolean killScheduled;
  private boolean killSent;
  private final Thread waiter = Thread.currentThread();

  Timeout(Cli cli, Options options, List<String> argv) {
    this.cli = cli;
    this.options = options;
    this.argv = argv;
  }

  int run() {
    Set<Integer> ignored = cli.inheritedIgnored();
    Set<Integer> keep = new TreeSet<>(ignored);
    // These Corral handles itself, as GNU timeout does, so the command gets their default action.
    keep.removeAll(List.of(SIGALRM, options.signal, SIGCHLD, SIGTTIN, SIGTTOU));
    // glibc's own 32 and 33 are its business: posix_spawn resets them in the child.
    keep.removeIf(s -> SignalArgs.name(s).equals(Integer.toString(s)));
    // Blocked signals stay blocked in the command, as GNU timeout 9.10 leaves them: but CHLD and
    // ALRM, which it unblocks for itself before it forks (and KILL and STOP, never blocked).
    Set<Integer> blocked = new TreeSet<>(cli.inheritedBlocked());
    blocked.removeAll(List.of(SIGCHLD, SIGALRM, SIGKILL, SignalArgs.parse("STOP")));
    blocked.removeIf(s -> SignalArgs.name(s).equals(Integer.toString(s)));
    Command command;
    Command plain; // without the caller's descriptors and mask, which the portable tier cannot give
    try {
      plain = Command.of(argv).stdin(Input.inherit()).stdout(Output.inherit())
          .stderr(Output.inherit()).stopSignal(Signal.of(options.signal)).grace(Command.UNBOUNDED_GRACE)
          .containment(options.containment).foreground(options.foreground).keepIgnored(SignalArgs.signals(keep))
          .leftovers(options.leaveRunning ? Command.Leftovers.LEAVE_RUNNING : Command.Leftovers.STOP);
      command = plain.keepBlocked(SignalArgs.signals(blocked));
      for (int fd : cli.inheritedDescriptors()) {
        command = command.passDescriptor(fd);
      }
    } catch (IllegalArgumentException e) {
      cli.error(e.getMessage());
      return CANCELED;
    }
    // The JVM replaced some of the caller's SIG_IGN with handlers; children inherit only SIG_IGN.
    // The launcher's pre-forked slot was forked before that, so it needs nothing.
    if (!CliPlatform.get().preforkedFor(command)) {
      CliPlatform.get().ignoreSignals(keep);
    }
    ForwardedSignals.install(FORWARDED, options.signal, ignored, this::received);
    long start = System.nanoTime();
    try {
      synchronized (lock) {
        try {
          run = command.start();
        } catch (CorralException e) {
          if (e.reason() != CorralException.Reason.CONTAINMENT_UNAVAILABLE
              || command.passedDescriptors().isEmpty() && command.keepBlocked().isEmpty()) {
            throw e;
          }
          // The portable tier (asked for, or where the native layer is missing) cannot pass
          // descriptors or block signals: it runs the command without them, and says so.
          if (options.verbose) {
            cli.error("the command runs without the caller's descriptors and blocked signals: " + e.getMessage());
          }
          run = plain.start();
        }
      }
    } catch (CorralException e) {
      return cannotRun(e);
    }
    Result result = await(start);
    return finish(result);
  }

  /** Waits for the result, firing the deadline and the kill timer on this thread. */
  private Result await(long start) {
    long deadline = options.limit.isZero() ? Long.MAX_VALUE : start + options.limit.toNanos();
    while (true) {
      long now = System.nanoTime();
      long next;
      synchronized (lock) {
        // As in GNU timeout, the deadline stays armed after a forwarded signal unless -k replaced it.
        if (!timedOut && !killScheduled && deadline != Long.MAX_VALUE && now - deadline >= 0) {
          timedOut = true;
          stop(options.signal);
        }
        if (killScheduled && !killSent && now - killAtNanos >= 0) {
          killSent = true;
          announce(SIGKILL);
          run.cancel(Signal.KILL);
        }
        next = Long.MAX_VALUE;
        if (!timedOut && !killScheduled && deadline != Long.MAX_VALUE) {
          next = deadline - now;
        }
        if (killScheduled && !killSent) {
          next = Math.min(next, killAtNanos - now);
        }
      }
      // A received signal may schedule the kill: it interrupts this wait to have it re-planned.
      var result = run.await(Duration.ofNanos(Math.max(0, Math.min(next, Durations.MAX.toNanos()))));
      Thread.interrupted();
      if (result.isPresent()) {
        return result.get();
      }
    }
  }

  /** A forwarded signal arrived: ALRM means the deadline, any other goes to the tree. */
  private void received(int signal) {
    synchronized (lock) {
      if (run == null) {
        return;
      }
      if (signal == SIGALRM) {
        timedOut = true;
        signal = options.signal;
      }
      stop(signal);
    }
    waiter.interrupt();
  }

  /** Sends {@code signal} to the tree; the first time, starts the kill timer. Holds the lock. */
  private void stop(int signal) {
    if (!run.isAlive()) {
      return;
    }
    if (!stopStarted) {
      stopStarted = true;
      if (!options.killAfter.isZero()) {
        killScheduled = true;
        killAtNanos = System.nanoTime() + options.killAfter.toNanos();
      }
    }
    announce(signal);
    try {
      run.cancel(Signal.of(signal));
    } catch (IllegalArgumentException e) {
      // Portable containment sends only TERM and KILL: the tree still stops, with the stop signal.
      cli.error("cannot forward signal " + SignalArgs.name(signal) + " to command "
          + Quote.of(argv.get(0)) + " (" + e.getMessage() + "); sending "
          + SignalArgs.name(options.signal) + " instead");
      run.cancel(Signal.of(options.signal));
    }
  }

  private void announce(int signal) {
    if (options.verbose) {
      cli.error("sending signal " + SignalArgs.name(signal) + " to command " + Quote.of(argv.get(0)));
    }
  }

  private int finish(Result r) {
    if (!r.teardown().clean()) {
      cli.error("WARNING: " + r.teardown().survivors().size() + " processes SURVIVED the stop: "
          + r.teardown().survivors());
    }
    int status;
    boolean preserve = options.preserveStatus;
    int signal = r.signal().map(s -> s.number().orElse(0)).orElse(0);
    if (signal == 0) {
      status = r.exitCode().orElse(CANCELED);
    } else {
      if (timedOut && signal == SIGKILL) {
        preserve = true;
      }
      status = 128 + signal;
    }
    if (timedOut && !preserve) {
      status = TIMED_OUT;
    }
    Report.write(options.report, r, status, timedOut, cli);
    if (signal != 0 && !timedOut) {
      cli.flush();
      CliPlatform.get().dieBy(signal);
    }
    return status;
  }

  private int cannotRun(CorralException e) {
    String why = switch (e.reason()) {
      case NOT_FOUND -> "No such file or directory";
      case NOT_EXECUTABLE -> e.errno().orElse(13) == 8 ? "Exec format error" : "Permission denied";
      case IS_DIRECTORY -> "Permission denied";
      default -> null;
    };
    if (why == null) {
      cli.error(e.getMessage());
      return CANCELED;
    }
    cli.error("failed to run command " + Quote.of(argv.get(0)) + ": " + why);
    return e.reason() == CorralException.Reason.NOT_FOUND ? NOT_FOUND : CANNOT_INVOKE;
  }

  /** What the command line asked for. */
  static final class Options {
    Duration limit = Duration.ZERO;
    Duration killAfter = Duration.ZERO;
    int signal = Signal.TERM.number().orElseThrow();
    boolean foreground;
    boolean preserveStatus;
    boolean verbose;
    boolean leaveRunning;
    Containment containment = Containment.AUTO;
    Report.Target report;
  }
}
