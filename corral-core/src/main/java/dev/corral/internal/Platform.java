package dev.corral.internal;

import dev.corral.Capability;
import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.CorralException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one interface behind which each operating system lives. {@link #get()} loads the
 * implementation for this OS by name, so other platforms' classes are never loaded, and never
 * throws: where no native backend exists for this OS, or it cannot load, it gives the portable
 * tier ({@code dev.corral.internal.portable}), which says what it lacks through {@link
 * #capabilities()}. A native backend whose native layer fails when the first command starts
 * hands AUTO commands to the portable tier too. Building a {@code Command} loads no platform;
 * starting one does.
 */
public interface Platform {

  static Platform get() {
    return Holder.INSTANCE;
  }

  /**
   * Spawn {@code command} inside its containment and supervise it. {@code done} is called once,
   * on the service thread, when the tree is verified gone and the output drained.
   *
   * <p>{@code held}: the calling platform thread waits for the outcome next, starting with
   * {@link Child#awaitLeader}, and nothing else waits for it ({@code Command.run()}). A backend
   * may then leave the run with that thread until then, and finish there a run that ends alone
   * within that wait; {@code done} is then called on that thread.
   *
   * @throws CorralException when it cannot start; nothing is left behind then
   */
  Child start(Command command, boolean held, Consumer<Outcome> done);

  /**
   * What the JVM's exit does for Corral, now: stops every live run and waits for the proof
   * (bounded), then removes Corral's cgroups. For a process about to halt without the JDK's
   * shutdown sequence, as the CLI does. Runs once; later calls return at once.
   */
  void shutdown();

  /** Which layers and facilities work here, and why the others do not. */
  List<Capability> capabilities();

  /** Whether one containment layer works here, and if not, why. */
  default Capability capability(Containment containment) {
    String name = switch (containment) {
      case PROCESS_GROUP -> "process-group";
      case PORTABLE -> "portable";
      default -> "cgroup";
    };
    return capabilities().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  /** Starts watching for processes this JVM starts from now on (see {@link LeakWatch}). */
  default LeakWatch watchLeaks() {
    return new SnapshotWatch();
  }

  /** Signal names and numbers of this OS. */
  Signals signals();

  final class Holder {
    private Holder() {}

    static final Platform INSTANCE = load();

    /**
     * Linux's backend on Linux, else the portable tier. Neither constructor makes a native call
     * (that would cost a CLI run the FFM set-up, tens of milliseconds), so nothing here fails on
     * a native library. Where Linux's native layer cannot load (no FFM port for this CPU, native
     * access denied), a command that starts finds out: AUTO then runs on the portable tier, and
     * CGROUP or PROCESS_GROUP fail with a typed {@link CorralException}.
     */
    private static Platform load() {
      String os = System.getProperty("os.name", "");
      if (!os.startsWith("Linux")) {
        return portable("Corral has no native backend for " + os + " yet");
      }
      try {
        return (Platform) Class.forName("dev.corral.internal.linux.LinuxPlatform")
            .getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        return portable("the Linux backend cannot load here: " + e);
      }
    }

    private static Platform portable(String why) {
      return dev.corral.internal.portable.PortablePlatform.standalone(why);
    }
  }
}
