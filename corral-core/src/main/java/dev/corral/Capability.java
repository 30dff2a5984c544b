package dev.corral;

import dev.corral.internal.Platform;
import java.util.List;

/**
 * One thing Corral relies on, and whether it works on this machine: the data behind {@code corral
 * doctor}. Probed once per JVM.
 *
 * @param name such as {@code "cgroup"}, {@code "process-group"}, {@code "portable"}, {@code
 *     "pidfd"}, {@code "kernel"}
 * @param available whether it works here
 * @param detail what was found, or why it does not work and what would fix it
 */
public record Capability(String name, boolean available, String detail) {

  /** Everything Corral probed on this machine, the containment layers first. */
  public static List<Capability> probe() {
    return Platform.get().capabilities();
  }

  /** True when the strongest containment ({@link Containment#CGROUP}) is available. */
  public static boolean fullContainment() {
    return probe().stream().anyMatch(c -> c.name().equals("cgroup") && c.available());
  }
}
