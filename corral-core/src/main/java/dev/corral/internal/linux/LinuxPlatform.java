package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.CorralException;
import dev.corral.internal.Child;
import dev.corral.internal.Outcome;
import dev.corral.internal.Platform;
import dev.corral.internal.Signals;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/** Linux: posix_spawn, pidfd, epoll, and cgroup v2 or session and process group containment. */
public final class LinuxPlatform implements Platform {

  /** The environment variable that marks every process of a run, for the process-group sweep. */
  static final String MARKER = "CORRAL_RUN";

  public LinuxPlatform() {}

  @Override
  public Child start(Command command, Consumer<Outcome> done) {
    Supervisor supervisor = Supervisor.get();
    Containment containment = choose(command);
    String marker = Long.toHexString(ThreadLocalRandom.current().nextLong())
        + Long.toHexString(ThreadLocalRandom.current().nextLong());
    Map<String, String> environment = command.environment();
    environment.put(MARKER, marker);
    long start = System.nanoTime();
    Spawner.Spawned spawned = Spawner.spawn(command, environment, null);
    Tree tree = new GroupTree(supervisor, spawned.pid(), MARKER + "=" + marker, start);
    return new LinuxRun(supervisor, command, done, start, spawned, tree);
  }

  private Containment choose(Command command) {
    return switch (command.containment()) {
      case AUTO, PROCESS_GROUP -> Containment.PROCESS_GROUP;
      case CGROUP -> throw new CorralException(CorralException.Reason.CONTAINMENT_UNAVAILABLE,
          command.toString(), "cgroup containment is not available yet", 0, null);
    };
  }

  @Override
  public Capability capability(Containment containment) {
    return switch (containment) {
      case PROCESS_GROUP, AUTO -> new Capability(Containment.PROCESS_GROUP, true,
          "session and process group, with a process-table sweep");
      case CGROUP -> new Capability(Containment.CGROUP, false, "not implemented yet");
    };
  }

  @Override
  public Signals signals() {
    return Signals.LINUX;
  }
}
