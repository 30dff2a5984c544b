package dev.corral.internal.linux;

import dev.corral.Capability;
import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.CorralException;
import dev.corral.Teardown;
import dev.corral.internal.Child;
import dev.corral.internal.Members;
import dev.corral.internal.Outcome;
import dev.corral.internal.Platform;
import dev.corral.internal.Signals;
import dev.corral.internal.portable.PortablePlatform;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.GroupTree;
import dev.corral.internal.posix.OwnSignals;
import dev.corral.internal.posix.PosixSpawn;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/** Linux: posix_spawn, pidfd, epoll, and cgroup v2 or session and process group containment. */
public final class LinuxPlatform implements Platform, dev.corral.internal.cli.CliPlatform {

  /** Starts every marker of this JVM's runs, so the watchdog can find them all. */
  private final String jvmMarker = Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-";

  /** Runs not yet over, so that JVM shutdown can stop them, and a waiting caller can count them. */
  private final Set<LinuxRun> live = ConcurrentHashMap.newKeySet();

  /** Runs in the launcher's slot not yet handed to the regular supervision. */
  private final Set<PreforkedRun> preforked = ConcurrentHashMap.newKeySet();

  /**
   * The cgroup the launcher's slot was moved into, in the background from construction on: the
   * move waits out an RCU grace period in the kernel (10-20 ms when no other move came just
   * before), which then overlaps the caller's own start-up. Null without a slot.
   */
  private final java.util.concurrent.CompletableFuture<Path> slotCgroup;

  /** Runs {@link Containment#PORTABLE} commands, and AUTO ones where the native layer fails. */
  private final PortablePlatform portable = PortablePlatform.delegate(jvmMarker, Signals.LINUX);

  /** No native call here: a CLI run in the launcher's slot may never need one. */
  public LinuxPlatform() {
    Runtime.getRuntime().addShutdownHook(
        Thread.ofPlatform().name("corral-shutdown").unstarted(this::shutdown));
    slotCgroup = Preforked.slotAvailable()
        ? java.util.concurrent.CompletableFuture.supplyAsync(PreforkedRun::place,
            r -> Thread.ofPlatform().daemon().name("corral-prepare").start(r))
        : null;
  }

  @Override
  public Child start(Command command, boolean held, Consumer<Outcome> done) {
    if (command.containment() == Containment.PORTABLE) {
      return startPortable(command, done);
    }
    long start = System.nanoTime(); // the deadline counts from here, stdio's opening included
    Containment containment = choose(command);
    CgroupHierarchy hierarchy = CgroupHierarchy.probe().hierarchy();
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
    String marker = jvmMarker + suffix;
    if (containment == Containment.CGROUP) {
      PreforkedRun run = slotCgroup == null ? null
          : PreforkedRun.start(this, command, slotCgroup.join(), jvmMarker, marker, done);
      if (run != null) {
        preforked.add(run);
        return run;
      }
    }
    Throwable broken = nativeFailure();
    if (broken != null) {
      if (command.containment() == Containment.AUTO) {
        weaker("the native layer cannot load (" + broken + "): runs use the portable tier, best"
            + " effort");
        return startPortable(command, done);
      }
      throw new CorralException(CorralException.Reason.CONTAINMENT_UNAVAILABLE, command.toString(),
          "the native layer cannot load here (" + broken + "); Containment.PORTABLE runs it with"
              + " the JDK alone, best effort", 0, broken);
    }
    Supervisor supervisor = Supervisor.get();
    Watchdog.ensureStarted(jvmMarker, hierarchy == null ? null : hierarchy.jvmDir.toString(),
        hierarchy == null ? null : hierarchy.gate.toString());
    Map<String, String> environment = command.environment();
    // Opened here, on the caller's thread: an open that blocks (a FIFO without its other end)
    // must hold up this start only, not the spawn thread or the gate other runs take turns at.
    Stdio stdio = new Stdio(command, -1, start);
    Spawner.Spawned spawned;
    Members tree;
    long deadline = command.deadline().map(d -> start + d.toNanos()).orElse(start + Long.MAX_VALUE / 2);
    if (containment == Containment.CGROUP) {
      CgroupHierarchy h = hierarchy;
      Spawns.Placed placed;
      try {
        placed = Spawns.onPlatformThread(command, deadline,
            () -> Spawns.spawnInCgroup(h, command, environment, marker, stdio, deadline));
      } catch (RuntimeException e) {
        stdio.close(); // a spawn that never began left them open; a failed one closed them
        stdio.closeParentEnds();
        throw e;
      }
      spawned = placed.spawned();
      tree = new CgroupTree(supervisor, h, placed.cgroup(), spawned.pid(), KernelPlacement.AVAILABLE
          ? Teardown.Placement.KERNEL : Teardown.Placement.GATE);
    } else {
      try {
        // On the spawn thread too: posix_spawn would pin a virtual thread's carrier meanwhile.
        spawned = Spawns.onPlatformThread(command, deadline,
            () -> Spawner.spawn(command, environment, marker, null, stdio));
      } catch (RuntimeException e) {
        stdio.close();
        stdio.closeParentEnds();
        throw e;
      }
      tree = new GroupTree(supervisor, ProcTable.TABLE, spawned.pid(),
          PosixSpawn.MARKER + "=" + marker, start, Watchdog::leave);
    }
    boolean told = containment != Containment.CGROUP && Watchdog.tellGroup(suffix, command);
    return supervise(new LinuxRun(supervisor, command, start, spawned, tree, live::size, held), () -> {
      if (told) {
        Watchdog.forget(suffix);
      }
    }, done);
  }

  /** Hands {@code command} to the portable tier; what it leaves running the watchdog spares. */
  private Child startPortable(Command command, Consumer<Outcome> done) {
    return portable.start(command, false, outcome -> {
      if (!outcome.teardown().leftRunning().isEmpty() && nativeFailure == null) {
        Watchdog.leave(outcome.teardown().leftRunning()); // a no-op unless a watchdog runs
      }
      done.accept(outcome);
    });
  }

  /** Readies the native layer ({@link #warm}); returns why it cannot load (kept), or null. */
  private Throwable nativeFailure() {
    if (nativeFailure == null) {
      try {
        warm();
      } catch (LinkageError | RuntimeException e) {
        nativeFailure = Probes.cause(e);
      }
    }
    return nativeFailure;
  }

  private volatile Throwable nativeFailure;

  private LinuxRun supervise(LinuxRun run, Runnable over, Consumer<Outcome> done) {
    live.add(run); // a held run is held from its construction: a cancel from here on waits for it
    run.supervise(outcome -> {
      live.remove(run);
      over.run();
      done.accept(outcome);
    });
    return run;
  }

  /** Whether {@link #start} would run {@code command} in the launcher's pre-forked slot. */
  @Override
  public boolean preforkedFor(Command command) {
    return Preforked.slotAvailable() && PreforkedRun.suits(command)
        && choose(command) == Containment.CGROUP;
  }

  /**
   * Makes ready what supervising needs (the native layer, the service thread), once. Until
   * then, nothing has called native code: see {@link PreforkedRun}.
   */
  void warm() {
    Warm.ready();
  }

  /** Read at exit, so that a JVM that never used the native layer does not load it then. */
  private static volatile boolean warmed;

  /** The class initialiser runs once, and every other caller waits for it to finish. */
  private static final class Warm {
    static {
      warmed = true;
      OwnSignals.keepChildrenWaitable();
      Supervisor.get();
    }

    static void ready() {}
  }

  /**
   * Takes over a run started in the launcher's slot: from here it is supervised like a spawned
   * one, whether its leader runs or has exited already (it is unreaped either way).
   */
  Child adopt(Command command, int pid, Path cgroup, long start, Consumer<Outcome> done) {
    warm();
    Supervisor supervisor = Supervisor.get();
    CgroupHierarchy h = CgroupHierarchy.probe().hierarchy();
    RunCgroup files = RunCgroup.open(cgroup);
    int pidfd = LibC.pidfdOpen(pid);
    if (pidfd < 0) {
      files.close();
      throw Errors.fail("pidfd_open", Integer.toString(pid), -pidfd);
    }
    Spawner.Spawned spawned = new Spawner.Spawned(pid, pidfd, -1, -1, -1);
    LinuxRun run = new LinuxRun(supervisor, command, start, spawned,
        new CgroupTree(supervisor, h, files, pid, Teardown.Placement.LAUNCHER), live::size, false);
    return supervise(run, () -> {}, done);
  }

  /** A run in the slot is over or handed over (then {@link #adopt} tracks it). */
  void forget(PreforkedRun run) {
    preforked.remove(run);
  }

  private final java.util.concurrent.atomic.AtomicBoolean toldWeaker =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Says once, for an operator, that AUTO runs fall back to a weaker layer, and why. */
  private void weaker(String why) {
    if (toldWeaker.compareAndSet(false, true)) {
      System.getLogger(LinuxPlatform.class.getName()).log(System.Logger.Level.WARNING, "corral: " + why);
    }
  }

  private Containment choose(Command command) {
    CgroupHierarchy.Probe probe = CgroupHierarchy.probe();
    return switch (command.containment()) {
      case PORTABLE -> Containment.PORTABLE;
      case AUTO -> {
        if (probe.hierarchy() != null) {
          yield Containment.CGROUP;
        }
        weaker("cgroup containment is not available (" + probe.detail() + "): runs use process"
            + " groups, which miss a process that left the session and scrubbed its environment");
        yield Containment.PROCESS_GROUP;
      }
      case PROCESS_GROUP -> Containment.PROCESS_GROUP;
      case CGROUP -> {
        if (probe.hierarchy() == null) {
          throw new CorralException(CorralException.Reason.CONTAINMENT_UNAVAILABLE,
              command.toString(), "cgroup containment is not available: " + probe.detail(), 0, null);
        }
        yield Containment.CGROUP;
      }
    };
  }

  private final java.util.concurrent.atomic.AtomicBoolean shutDown = new java.util.concurrent.atomic.AtomicBoolean();

  /** JVM exit: stop every live tree, wait for the proof (bounded), then remove Corral's cgroups. */
  @Override
  public void shutdown() {
    if (!shutDown.compareAndSet(false, true)) {
      return;
    }
    if (slotCgroup != null) {
      PreforkedRun.unused(slotCgroup.join());
      Preforked.release();
    }
    for (PreforkedRun run : preforked) {
      run.adopt();
    }
    for (LinuxRun run : live) {
      run.cancel(Signals.here(run.command().stopSignal()), false);
    }
    Thread portableShutdown = Thread.ofVirtual().start(portable::shutdown); // in parallel
    long until = System.nanoTime() + 10_000_000_000L;
    while (!live.isEmpty() && System.nanoTime() - until < 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
    }
    CgroupHierarchy.Probe probe = CgroupHierarchy.probe();
    if (probe.hierarchy() != null) {
      probe.hierarchy().removeOwn();
    }
    if (live.isEmpty() && warmed && nativeFailure == null) {
      Supervisor.stopAtExit();
    }
    try {
      portableShutdown.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public List<Capability> capabilities() {
    List<Capability> list = capabilities;
    if (list == null) {
      list = Probes.withPortable(nativeFailure);
      capabilities = list;
    }
    return list;
  }

  private volatile List<Capability> capabilities;

  @Override
  public List<dev.corral.internal.cli.ProcessView> processes() {
    return ProcTable.views();
  }

  @Override
  public Set<Integer> ignoreSignals(Set<Integer> signals) {
    return OwnSignals.ignore(signals);
  }

  @Override
  public void dieBy(int signal) {
    OwnSignals.dieBy(signal, () -> LibC.prctl(LibC.PR_SET_DUMPABLE, 0));
  }

  /** By cgroup membership where Corral can create cgroups; else by snapshots of descendants. */
  @Override
  public dev.corral.internal.LeakWatch watchLeaks() {
    CgroupHierarchy h = CgroupHierarchy.probe().hierarchy();
    if (nativeFailure() == null) {
      // Corral's own helper process starts now if ever, outside the watch: it is not a leak.
      Watchdog.ensureStarted(jvmMarker, h == null ? null : h.jvmDir.toString(),
          h == null ? null : h.gate.toString());
    }
    if (h != null && nativeFailure() == null) {
      try {
        return CgroupWatch.begin(h);
      } catch (RuntimeException e) {
        // cannot move this JVM (a cgroup delegated without its parent's cgroup.procs): fall back
      }
    }
    return new dev.corral.internal.SnapshotWatch();
  }

  @Override
  public Signals signals() {
    return Signals.LINUX;
  }
}
