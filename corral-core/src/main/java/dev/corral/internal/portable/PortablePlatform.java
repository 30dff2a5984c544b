package dev.corral.internal.portable;

import dev.corral.Capability;
import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.CorralException;
import dev.corral.internal.Child;
import dev.corral.internal.Outcome;
import dev.corral.internal.Platform;
import dev.corral.internal.ProcStat;
import dev.corral.internal.Signals;
import dev.corral.internal.cli.ProcessView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The portable tier: the JDK alone (ProcessBuilder and ProcessHandle), no native call, on any OS
 * that runs Java. {@link Platform#get()} gives it where no native backend exists for this OS or
 * the native layer cannot load; on Linux the native platform hands it {@link
 * Containment#PORTABLE} commands, so it is tested there too.
 *
 * <p>Best effort: a run's tree is what the snapshots taken every 50 ms saw descending from its
 * leader (see {@link Census}); {@link Containment#PORTABLE} lists what that misses. A stop can
 * send only what the JDK can: a normal termination (TERM) and a forced one (KILL).
 *
 * <p>Cost: one service thread for every run's timers and snapshots, and one pass over the process
 * table per snapshot while any run lives; per run, virtual threads for waiting and reading, plus
 * the JDK's own "process reaper" platform thread. Not yet benchmarked.
 */
public final class PortablePlatform implements Platform, dev.corral.internal.cli.CliPlatform {
  /** The environment variable that marks every process of a run, as the native tier's. */
  static final String MARKER = "CORRAL_RUN";

  /** Starts every marker of this JVM's runs (a test finds its leftovers by it). */
  private final String jvmMarker;
  private final Signals signals;
  /** Why no native backend runs here, or null when a native platform delegates to this one. */
  private final String whyNoNative;
  private final Set<PortableRun> live = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean hooked = new AtomicBoolean();
  private final AtomicBoolean shutDown = new AtomicBoolean();

  private PortablePlatform(String jvmMarker, Signals signals, String whyNoNative) {
    this.jvmMarker = jvmMarker;
    this.signals = signals;
    this.whyNoNative = whyNoNative;
  }

  /**
   * The platform of an OS without a working native backend, {@code whyNoNative} saying why. Its
   * shutdown hook is registered when the first command starts, not before.
   */
  public static PortablePlatform standalone(String whyNoNative) {
    return new PortablePlatform(Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-",
        Signals.current(), whyNoNative);
  }

  /**
   * The tier a native platform hands {@link Containment#PORTABLE} commands to, marking runs with
   * its {@code jvmMarker}; the native platform's {@link #shutdown} must call this one's.
   */
  public static PortablePlatform delegate(String jvmMarker, Signals signals) {
    return new PortablePlatform(jvmMarker, signals, null);
  }

  /**
   * @throws CorralException {@code CONTAINMENT_UNAVAILABLE} for a stop signal other than TERM,
   *     KILL or 0, or, where this tier stands alone, for a native containment asked by name
   */
  @Override
  public Child start(Command command, boolean held, Consumer<Outcome> done) {
    long start = System.nanoTime();
    if (whyNoNative != null && (command.containment() == Containment.CGROUP
        || command.containment() == Containment.PROCESS_GROUP)) {
      throw new CorralException(CorralException.Reason.CONTAINMENT_UNAVAILABLE, command.toString(),
          command.containment() + " containment is not available: " + whyNoNative
              + "; Containment.AUTO or PORTABLE runs it with the JDK alone, best effort", 0, null);
    }
    if (!command.keepBlocked().isEmpty()) {
      throw new CorralException(CorralException.Reason.CONTAINMENT_UNAVAILABLE, command.toString(),
          "portable containment cannot start a command with signals blocked " + command.keepBlocked()
              + ": ProcessBuilder gives every child an empty mask; use a native containment", 0, null);
    }
    if (!command.passedDescriptors().isEmpty()) {
      throw new CorralException(CorralException.Reason.CONTAINMENT_UNAVAILABLE, command.toString(),
          "portable containment cannot pass descriptors " + command.passedDescriptors().values()
              + (whyNoNative == null ? ": ProcessBuilder passes only 0, 1 and 2; use a native containment"
                  : ": ProcessBuilder passes only 0, 1 and 2, and the native layer is not available: "
                      + whyNoNative), 0, null);
    }
    if (!RunTree.sendable(Signals.here(command.stopSignal()))) {
      throw new CorralException(CorralException.Reason.CONTAINMENT_UNAVAILABLE, command.toString(),
          "portable containment cannot send the stop signal " + RunTree.refusal(
              Signals.here(command.stopSignal()), signals) + "; use TERM, KILL or 0, or a native containment", 0, null);
    }
    if (whyNoNative != null && hooked.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(
          Thread.ofPlatform().name("corral-shutdown").unstarted(this::shutdown));
    }
    String marker = jvmMarker + Long.toHexString(ThreadLocalRandom.current().nextLong());
    Process process = Spawn.start(command, marker);
    PortableRun run = new PortableRun(Service.get(), command, process, start, signals);
    live.add(run);
    run.supervise(outcome -> {
      live.remove(run);
      done.accept(outcome);
    });
    return run;
  }

  /** JVM exit: stops every live run with its stop signal and waits for the proof (bounded). */
  @Override
  public void shutdown() {
    if (!shutDown.compareAndSet(false, true)) {
      return;
    }
    for (PortableRun run : live) {
      run.cancel(Signals.here(run.command().stopSignal()), false);
    }
    long until = System.nanoTime() + 10_000_000_000L;
    while (!live.isEmpty() && System.nanoTime() - until < 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
    }
  }

  /** What this tier catches and misses; {@code why} says when a stronger layer is in use or not. */
  public static Capability capability(String why) {
    return new Capability("portable", true, "best effort, with the JDK alone: ProcessBuilder, and"
        + " ProcessHandle snapshots (pid and start time) every 50 ms while a run lives; the stop"
        + " is destroy() (TERM; on Windows the process ends at once), the grace period, then"
        + " destroyForcibly() until no known member is alive. It cannot catch a process that left"
        + " the tree before a snapshot saw it: a double fork faster than 50 ms, a child of a"
        + " leader that exits right after forking it, a setsid or new-session daemon reparented"
        + " before a snapshot, a child forked just before its parent's SIGKILL, and on Windows a"
        + " process that broke away from its parent. It sends only TERM and KILL (no SIGCONT: a"
        + " stopped process is killed after the grace period), keeps the caller's session, and"
        + " has no parent-death guard. " + why);
  }

  @Override
  public List<Capability> capabilities() {
    String os = System.getProperty("os.name", "?");
    return List.of(
        new Capability("cgroup", false, "cgroup v2 is Linux's, and " + whyNoNative),
        new Capability("process-group", false, whyNoNative + ": sessions, process groups and"
            + " signals other than TERM and KILL need native calls"),
        capability("In use because " + whyNoNative + "."),
        new Capability("os", true, os + " " + System.getProperty("os.version", "?") + " on "
            + System.getProperty("os.arch", "?") + ", " + signals.os() + " signal numbers"));
  }

  /** Every process the JDK can see; the fields it cannot give (group, session, state) are 0 or '?'. */
  @Override
  public List<ProcessView> processes() {
    List<ProcessView> out = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(h -> {
      ProcessHandle.Info info = h.info();
      String command = info.command().orElse("");
      String comm = command.substring(command.lastIndexOf(java.io.File.separatorChar) + 1);
      int ppid = h.parent().map(p -> (int) p.pid()).orElse(0);
      long start = info.startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
      out.add(new ProcessView(new ProcStat((int) h.pid(), comm, '?', ppid, 0, 0, start), "",
          info.commandLine().orElse(comm.isEmpty() ? "[?]" : command)));
    });
    return out;
  }

  /** Nothing here can ignore a signal: every one is left alone, and returned. */
  @Override
  public Set<Integer> ignoreSignals(Set<Integer> signals) {
    return Set.copyOf(signals);
  }

  /**
   * No process can end itself by a signal without native calls: it halts with status 128 plus
   * the signal instead, which a POSIX shell reads the same way.
   */
  @Override
  public void dieBy(int signal) {
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(128 + signal);
  }

  @Override
  public Signals signals() {
    return signals;
  }
}
