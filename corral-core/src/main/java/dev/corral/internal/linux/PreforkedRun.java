package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.Teardown;
import dev.corral.internal.Child;
import dev.corral.internal.Executables;
import dev.corral.internal.Mounts;
import dev.corral.internal.Outcome;
import dev.corral.internal.ProcStat;
import dev.corral.internal.Signals;
import dev.corral.internal.Sink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A cgroup run whose leader is the launcher's slot ({@link Preforked}): the slot is moved into
 * the run's cgroup while it still waits, then told to exec the command. Nothing here calls
 * native code, so a CLI run that ends by itself, leaving nothing behind, never pays for linking
 * the native layer. Whatever needs a signal (a cancel, leftovers, JVM exit) hands the run to the
 * regular supervision ({@link LinuxPlatform#adopt}), which then owns it to the end.
 *
 * <p>The slot is used only when the result is the same as a spawn's: inherited stdin, stdout and
 * stderr, working directory and environment, no deadline (the caller keeps the clock), cgroup
 * containment, and exactly the caller's descriptors, which the slot holds on their numbers.
 * Signal dispositions and the mask are set by {@code env}: default for all but {@link
 * Command#keepIgnored()}, nothing blocked but {@link Command#keepBlocked()}.
 *
 * <p>Limit: the leader stays a zombie until this JVM exits or the run is handed over; that keeps
 * its pid from being reused, and costs nothing else.
 */
final class PreforkedRun implements Child {
  private static final Set<Integer> GLIBC_INTERNAL = Set.of(32, 33);
  /** If the command still runs after this, the regular supervision is made ready in the background. */
  private static final long WARM_AFTER_MILLIS = 50;

  private final LinuxPlatform platform;
  private final Command command;
  private final int pid;
  private final Path cgroup;
  private final long startNanos;
  private final Consumer<Outcome> done;
  private Child adopted; // guarded by this
  private boolean over; // guarded by this

  private PreforkedRun(LinuxPlatform platform, Command command, int pid, Path cgroup, long start,
      Consumer<Outcome> done) {
    this.platform = platform;
    this.command = command;
    this.pid = pid;
    this.cgroup = cgroup;
    this.startNanos = start;
    this.done = done;
  }

  /** Whether the slot could run {@code command} exactly as a spawn would. */
  static boolean suits(Command command) {
    return command.directory().isEmpty() && command.deadline().isEmpty()
        && command.containment() != Containment.PROCESS_GROUP && !command.foreground()
        && command.stdin() instanceof Input.Inherit && command.stdout() instanceof Output.Inherit
        && command.stderr() instanceof Output.Inherit && passesTheCallers(command)
        && command.environment().equals(System.getenv());
  }

  /**
   * Whether the command passes exactly the caller's descriptors, each on its own number: the
   * slot, forked from the launcher, holds those and no others.
   */
  private static boolean passesTheCallers(Command command) {
    var passed = command.passedDescriptors();
    return passed.keySet().equals(Preforked.callerDescriptors())
        && passed.entrySet().stream().allMatch(e -> e.getKey().equals(e.getValue()));
  }

  /**
   * Runs {@code command} in the launcher's slot, or returns null (leaving nothing behind) when
   * there is no slot or it does not suit; the caller then spawns.
   */
  static PreforkedRun start(LinuxPlatform platform, Command command, Path cgroup,
      String jvmMarker, String marker, Consumer<Outcome> done) {
    if (cgroup == null || !suits(command)) {
      return null;
    }
    Preforked.Slot slot = Preforked.takeSlot();
    if (slot == null) {
      return null;
    }
    CgroupHierarchy h = CgroupHierarchy.probe().hierarchy();
    String go = null;
    try {
      Set<Integer> ignored = ready(slot.pid());
      int skip = argumentsBefore(command.argv(), slot.argCount());
      if (ignored == null || skip < 0) {
        return null;
      }
      Executables.resolve(command.argv().get(0), System.getenv("PATH"),
          Path.of("").toAbsolutePath(), command.toString());
      Set<Integer> reset = new TreeSet<>(ignored);
      reset.removeAll(Signals.here(command.keepIgnored()));
      Set<Integer> ignore = new TreeSet<>(Signals.here(command.keepIgnored()));
      ignore.removeAll(ignored);
      // glibc's own 32 and 33, which env(1) refuses to name: glibc sets its handlers for them
      // itself when it needs them, whatever the inherited disposition.
      reset.removeAll(GLIBC_INTERNAL);
      ignore.removeAll(GLIBC_INTERNAL);
      long start = System.nanoTime();
      Watchdog.ensureStarted(jvmMarker, h.jvmDir.toString(), h.gate.toString());
      Watchdog.tell(cgroup, command);
      Set<Integer> block = new TreeSet<>(Signals.here(command.keepBlocked()));
      block.removeAll(GLIBC_INTERNAL);
      go = skip + " " + marker + " " + list(reset) + " " + list(ignore) + " " + list(block) + "\n";
      PreforkedRun run = new PreforkedRun(platform, command, slot.pid(), cgroup, start, done);
      // Watched first: the JDK starts its waiting thread while the slot execs, not after.
      run.watch();
      slot.tell(go);
      return run;
    } catch (IOException e) {
      return null;
    } finally {
      if (go == null) {
        dismiss(slot, cgroup);
      }
    }
  }

  /**
   * Moves the launcher's slot into a new run cgroup while it waits, ahead of {@link #start};
   * returns the cgroup, or null (leaving nothing) when there is no cgroup hierarchy or the move
   * fails.
   */
  static Path place() {
    CgroupHierarchy h = CgroupHierarchy.probe().hierarchy();
    int pid = Preforked.slotPid();
    if (h == null || pid <= 0) {
      return null;
    }
    // The launcher names the same cgroup and has the slot move itself there while the JVM
    // starts. If it has not (yet), moving it here is harmless: both moves have one target.
    Path cgroup = h.jvmDir.resolve(SLOT_CGROUP);
    Path procs = cgroup.resolve("cgroup.procs");
    try {
      CgroupFs.checkOwned(procs);
      String own = ProcTable.readPlain(Path.of("/proc/" + pid + "/cgroup"));
      Path now = own == null ? null
          : Mounts.cgroup2Path(own).map(p -> h.mount.resolve(p.substring(1))).orElse(null);
      if (!cgroup.equals(now)) {
        Files.createDirectories(cgroup);
        Files.writeString(procs, Integer.toString(pid));
      }
      return cgroup;
    } catch (IOException e) {
      CgroupHierarchy.remove(cgroup);
      return null;
    }
  }

  /** The run cgroup the launcher names for the slot, under the JVM's directory. */
  static final String SLOT_CGROUP = "run-slot";

  /** At exit: if the slot was never used, it exits and its cgroup is removed. */
  static void unused(Path cgroup) {
    Preforked.Slot slot = Preforked.takeSlot();
    if (slot != null) {
      dismiss(slot, cgroup);
    }
  }

  /** Tells the slot to exit and, once it has, removes its cgroup (bounded: 1 s). */
  private static void dismiss(Preforked.Slot slot, Path cgroup) {
    slot.dismiss();
    if (cgroup == null) {
      return;
    }
    try {
      ProcessHandle.of(slot.pid()).map(ProcessHandle::onExit)
          .ifPresent(exit -> exit.completeOnTimeout(null, 1, TimeUnit.SECONDS).join());
    } finally {
      CgroupHierarchy.remove(cgroup);
    }
  }

  /**
   * The slot's ignored signals if it waits as it should (still this JVM's child, nothing
   * blocked), else null. sh leaves the mask empty once it has waited for a child (the launcher's
   * mkfifo), whatever its caller's was: the command's blocked signals are then exactly those
   * env(1) blocks for it.
   */
  private static Set<Integer> ready(int pid) {
    String status = ProcTable.readPlain(Path.of("/proc/" + pid + "/status"));
    if (status == null || mask(status, "SigBlk:") != 0 || mask(status, "PPid:") != ProcessHandle.current().pid()) {
      return null;
    }
    long ign = mask(status, "SigIgn:");
    Set<Integer> ignored = new TreeSet<>();
    for (int sig = 1; sig <= 64; sig++) {
      if ((ign & (1L << (sig - 1))) != 0) {
        ignored.add(sig);
      }
    }
    return ignored;
  }

  /** A hexadecimal mask (or, for PPid, a decimal number) from /proc/PID/status; -1 if absent. */
  static long mask(String status, String key) {
    int at = status.indexOf("\n" + key);
    if (at < 0) {
      return -1;
    }
    int from = at + key.length() + 1;
    int end = status.indexOf('\n', from);
    String value = status.substring(from, end < 0 ? status.length() : end).trim();
    return key.startsWith("Sig") ? Long.parseUnsignedLong(value, 16) : Long.parseLong(value);
  }

  /**
   * How many of the launcher's arguments come before {@code argv}, which must be their tail;
   * -1 if it is not. They are the last {@code count} words of this JVM's command line.
   */
  private static int argumentsBefore(List<String> argv, int count) throws IOException {
    byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
    List<String> words = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        words.add(new String(raw, from, i - from, StandardCharsets.UTF_8));
        from = i + 1;
      }
    }
    return tailOffset(words, count, argv);
  }

  /** Pure part of {@link #argumentsBefore}: where {@code argv} starts among the last {@code count} words. */
  static int tailOffset(List<String> words, int count, List<String> argv) {
    if (count > words.size() || argv.size() > count) {
      return -1;
    }
    List<String> args = words.subList(words.size() - count, words.size());
    int skip = count - argv.size();
    return args.subList(skip, count).equals(argv) ? skip : -1;
  }

  /** "2,3,15" as env(1) takes it, or "-" for none (the slot reads one word per list). */
  private static String list(Set<Integer> signals) {
    return signals.isEmpty() ? "-"
        : signals.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
  }

  private void watch() {
    CompletableFuture<ProcessHandle> exit = ProcessHandle.of(pid)
        .map(ProcessHandle::onExit).orElse(CompletableFuture.completedFuture(null));
    exit.thenRun(this::leaderExited);
    // A command that ends at once should not pay for this; one that runs on should find it
    // ready when a signal must be sent.
    Thread.ofPlatform().daemon().name("corral-warm").start(() -> {
      try {
        exit.get(WARM_AFTER_MILLIS, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        platform.warm();
      } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
        // Nothing to warm for.
      }
    });
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public void cancel(int signal, boolean resend) {
    Child c = adopt();
    if (c != null) {
      c.cancel(signal, resend);
    }
  }

  /** Hands the run to the regular supervision, once; null if it is over already. */
  synchronized Child adopt() {
    if (adopted == null && !over) {
      platform.forget(this);
      adopted = platform.adopt(command, pid, cgroup, startNanos, done);
    }
    return adopted;
  }

  /** The leader exited: finish here if it left nothing behind, else hand the rest over. */
  private void leaderExited() {
    Outcome outcome = null;
    synchronized (this) {
      if (adopted != null || over) {
        return;
      }
      String stat = ProcTable.readPlain(Path.of("/proc/" + pid + "/stat"));
      int status = stat == null ? -1 : ProcStat.waitStatus(stat);
      String events = ProcTable.readPlain(cgroup.resolve("cgroup.events"));
      if (status >= 0 && events != null && events.contains("populated 0")
          && CgroupHierarchy.removeRun(cgroup)) {
        over = true;
        int signal = status & 0x7f;
        outcome = new Outcome(pid, signal == 0 ? (status >> 8) & 0xff : -1, signal, false, false,
            System.nanoTime() - startNanos, Sink.Captured.NONE, Sink.Captured.NONE,
            new Teardown(Containment.CGROUP, Teardown.Placement.LAUNCHER, Teardown.Cause.NONE, 0, List.of(), List.of(),
                List.of(), List.of()), null);
      }
    }
    if (outcome != null) {
      platform.forget(this);
      done.accept(outcome);
    } else {
      adopt();
    }
  }
}
