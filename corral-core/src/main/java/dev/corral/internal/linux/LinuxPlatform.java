package dev.corral.internal.linux;

import dev.corral.Capability;
import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.CorralException;
import dev.corral.internal.Child;
import dev.corral.internal.Outcome;
import dev.corral.internal.Platform;
import dev.corral.internal.Signals;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/** Linux: posix_spawn, pidfd, epoll, and cgroup v2 or session and process group containment. */
public final class LinuxPlatform implements Platform {

  /** The environment variable that marks every process of a run, for the process-group sweep. */
  static final String MARKER = "CORRAL_RUN";

  /** Starts every marker of this JVM's runs, so the watchdog can find them all. */
  private final String jvmMarker = Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-";

  /** Runs not yet over, so that JVM shutdown can stop them. */
  private final Set<LinuxRun> live = ConcurrentHashMap.newKeySet();

  public LinuxPlatform() {
    OwnSignals.keepChildrenWaitable();
    Runtime.getRuntime().addShutdownHook(
        Thread.ofPlatform().name("corral-shutdown").unstarted(this::shutdown));
  }

  @Override
  public Child start(Command command, Consumer<Outcome> done) {
    Supervisor supervisor = Supervisor.get();
    Containment containment = choose(command);
    CgroupHierarchy hierarchy = CgroupHierarchy.probe().hierarchy();
    Watchdog.ensureStarted(jvmMarker, hierarchy == null ? null : hierarchy.jvmDir.toString(),
        hierarchy == null ? null : hierarchy.gate.toString());
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
    String marker = jvmMarker + suffix;
    Map<String, String> environment = command.environment();
    environment.put(MARKER, marker);
    long start = System.nanoTime();
    Spawner.Spawned spawned;
    Tree tree;
    if (containment == Containment.CGROUP) {
      CgroupHierarchy h = hierarchy;
      Path cgroup = h.createRun();
      Watchdog.tell(cgroup, command);
      try {
        spawned = Spawner.spawn(command, environment, new CgroupGate(h.arrive, h.release, cgroup));
      } catch (RuntimeException e) {
        CgroupTree.killAndRemove(cgroup);
        throw e;
      }
      tree = new CgroupTree(supervisor, h, cgroup, spawned.pid());
    } else {
      spawned = Spawner.spawn(command, environment, null);
      tree = new GroupTree(supervisor, spawned.pid(), MARKER + "=" + marker, start);
    }
    boolean told = containment != Containment.CGROUP && Watchdog.tellGroup(suffix, command);
    LinuxRun run = new LinuxRun(supervisor, command, start, spawned, tree);
    live.add(run);
    run.supervise(outcome -> {
      live.remove(run);
      if (told) {
        Watchdog.forget(suffix);
      }
      done.accept(outcome);
    });
    return run;
  }

  private Containment choose(Command command) {
    CgroupHierarchy.Probe probe = CgroupHierarchy.probe();
    return switch (command.containment()) {
      case AUTO -> probe.hierarchy() != null ? Containment.CGROUP : Containment.PROCESS_GROUP;
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

  /** JVM exit: stop every live tree, wait for the proof (bounded), then remove Corral's cgroups. */
  private void shutdown() {
    for (LinuxRun run : live) {
      run.cancel(run.command().stopSignal(), false);
    }
    long until = System.nanoTime() + 10_000_000_000L;
    while (!live.isEmpty() && System.nanoTime() - until < 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
    }
    CgroupHierarchy.Probe probe = CgroupHierarchy.probe();
    if (probe.hierarchy() != null) {
      probe.hierarchy().removeOwn();
    }
    if (live.isEmpty()) {
      Supervisor.stopAtExit();
    }
  }

  @Override
  public List<Capability> capabilities() {
    List<Capability> list = capabilities;
    if (list == null) {
      list = Probes.all();
      capabilities = list;
    }
    return list;
  }

  private volatile List<Capability> capabilities;

  @Override
  public List<dev.corral.internal.ProcessView> processes() {
    return ProcTable.views();
  }

  @Override
  public Set<Integer> ignoreSignals(Set<Integer> signals) {
    return OwnSignals.ignore(signals);
  }

  @Override
  public void dieBy(int signal) {
    OwnSignals.dieBy(signal);
  }

  @Override
  public Signals signals() {
    return Signals.LINUX;
  }
}
