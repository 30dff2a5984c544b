package dev.corral.internal.linux;

import dev.corral.Capability;
import dev.corral.internal.portable.PortablePlatform;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.Native;
import dev.corral.internal.posix.PosixLibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Probes what this Linux machine offers, once, as data for {@code corral doctor}. */
final class Probes {
  private Probes() {}

  /**
   * What works here, with the portable tier third. {@code broken}, or a failure of the probes
   * themselves, means the native layer cannot load: then only the portable tier works.
   */
  static List<Capability> withPortable(Throwable broken) {
    List<Capability> out = new ArrayList<>();
    if (broken == null) {
      try {
        out.addAll(all());
      } catch (LinkageError | RuntimeException e) {
        broken = cause(e);
      }
    }
    if (broken != null) {
      out.clear();
      out.add(new Capability("cgroup", false, "the native layer cannot load here: " + broken));
      out.add(new Capability("process-group", false, "the native layer cannot load here: " + broken));
    }
    out.add(2, PortablePlatform.capability(broken == null
        ? "Used only when asked for (Containment.PORTABLE): the layers above hold more."
        : "In use for Containment.AUTO, because the native layer cannot load."));
    return List.copyOf(out);
  }

  /** The failure behind a class initialiser's error. */
  static Throwable cause(Throwable e) {
    return e instanceof ExceptionInInitializerError x && x.getCause() != null ? x.getCause() : e;
  }

  static List<Capability> all() {
    List<Capability> out = new ArrayList<>();
    CgroupHierarchy.Probe cgroup = CgroupHierarchy.probe();
    out.add(new Capability("cgroup", cgroup.hierarchy() != null, cgroup.detail()));
    out.add(new Capability("process-group", true, ProcTable.ownNamespace()
        ? "own session and process group, leader kept unreaped, /proc sweep for descendants and for"
            + " the run's CORRAL_RUN marker. Limit: cannot find a process that left the session,"
            + " scrubbed its environment and whose parent died before the sweep"
        : "own session and process group only: /proc shows another pid namespace, so there is no"
            + " sweep, and processes that leave the group are not found (mount /proc in this"
            + " namespace for full containment)"));
    out.add(pidfd());
    out.add(new Capability("kernel placement", KernelPlacement.AVAILABLE, KernelPlacement.detail()));
    out.add(new Capability("cgroup.kill", cgroup.hierarchy() != null && cgroup.hierarchy().hasKill,
        cgroup.hierarchy() == null ? "needs the cgroup layer"
            : cgroup.hierarchy().hasKill ? "present (Linux 5.14+)"
            : "absent before Linux 5.14: each frozen member gets SIGKILL instead"));
    boolean shell = Files.isExecutable(Path.of("/bin/sh"));
    out.add(new Capability("parent-death guard", shell, shell
        ? "a /bin/sh watchdog per JVM holds a pipe from the JVM; when the JVM dies, even by SIGKILL,"
            + " it sends each run its stop signal, waits its grace period (2 s for an unbounded"
            + " one), then kills the cgroup, or the marked processes and their groups"
        : "/bin/sh is missing: runs outlive a JVM that is killed"));
    out.add(new Capability("kernel", true, read("/proc/sys/kernel/osrelease")));
    out.add(glibc());
    return List.copyOf(out);
  }

  private static Capability pidfd() {
    int fd = LibC.pidfdOpen(PosixLibC.getpid());
    if (fd < 0) {
      return new Capability("pidfd", false, "pidfd_open failed: " + Errors.describe(-fd)
          + " (needs Linux 5.3; Corral cannot supervise without it)");
    }
    PosixLibC.close(fd);
    return new Capability("pidfd", true, "pidfd_open, pidfd_send_signal and waitid(P_PIDFD) work");
  }

  private static Capability glibc() {
    String version = "unknown";
    var fn = Native.bindOptional("gnu_get_libc_version");
    if (fn.isPresent()) {
      version = Native.string(Native.call(fn.get()));
    }
    boolean setcgroup = Native.has("posix_spawnattr_setcgroup_np");
    return new Capability("glibc", true, version + (setcgroup
        ? ", with posix_spawnattr_setcgroup_np"
        : ", without posix_spawnattr_setcgroup_np (2.39+): children enter their cgroup through"
            + " Corral's FIFO gate instead"));
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file)).trim();
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
