package dev.corral.internal.linux;

import dev.corral.internal.Mounts;
import dev.corral.internal.ProcStat;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.PosixLibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Corral's own cgroup v2 subtree: {@code <mount><own cgroup>/corral/<jvm name>/run-N}, where the
 * name is the JVM's pid and start time (and its pid namespace, outside the initial one: see
 * {@link JvmName}). Corral writes only inside directories it created here. A JVM that died
 * leaves its directory behind; the next JVM of the same pid namespace to start Corral kills what
 * is left in it and removes it.
 */
final class CgroupHierarchy {
  static final String BASE_NAME = "corral";

  /** The probe result: a hierarchy, or why there is none. */
  record Probe(CgroupHierarchy hierarchy, java.util.function.Supplier<String> why) {
    Probe(CgroupHierarchy hierarchy, String detail) {
      this(hierarchy, () -> detail);
    }

    /** What works, or why not, in words; built on demand, since a run seldom asks. */
    String detail() {
      return why.get();
    }
  }

  /** Probed once, on first use. */
  private static final class Holder {
    static final Probe PROBE = doProbe();
  }

  static Probe probe() {
    return Holder.PROBE;
  }

  final Path mount;
  final Path base;
  final Path jvmDir;
  /** The spawn gate's directory, holding the FIFO "release"; made on first use. */
  final Path gate;
  final boolean hasKill;
  /** The FIFO's path as a C string, once the gate exists. */
  private volatile java.lang.foreign.MemorySegment release;
  private final AtomicLong runs = new AtomicLong();

  private CgroupHierarchy(Path mount, Path base, Path jvmDir, Path gate, boolean hasKill) {
    this.mount = mount;
    this.base = base;
    this.jvmDir = jvmDir;
    this.gate = gate;
    this.hasKill = hasKill;
  }

  /**
   * The spawn gate's FIFO as a C string, made on the first spawn: a run that needs no gate (the
   * launcher's pre-forked child) then costs no native call.
   */
  java.lang.foreign.MemorySegment gateRelease() {
    java.lang.foreign.MemorySegment f = release;
    if (f == null) {
      synchronized (this) {
        f = release;
        if (f == null) {
          try {
            makeGate(gate);
          } catch (IOException e) {
            throw new IllegalStateException("cannot create the spawn gate in " + gate + ": "
                + e.getMessage(), e);
          }
          f = Arena.global().allocateFrom(gate.resolve("release").toString());
          release = f;
        }
      }
    }
    return f;
  }

  /** The cgroup this JVM lives in, which holds Corral's subtree. */
  Path home() {
    return base.getParent();
  }

  /**
   * Empty run cgroups kept for reuse, with their files open: mkdir and rmdir on cgroupfs cost tens
   * of microseconds each.
   */
  private final java.util.concurrent.ConcurrentLinkedDeque<RunCgroup> spare = new java.util.concurrent.ConcurrentLinkedDeque<>();
  private final java.util.concurrent.atomic.AtomicInteger spares = new java.util.concurrent.atomic.AtomicInteger();
  private static final int MAX_SPARES = 16;

  /** A cgroup for one run: a spare one if there is one, else a new one. */
  RunCgroup createRun() {
    RunCgroup reused = spare.pollFirst();
    if (reused != null) {
      spares.decrementAndGet();
      return reused;
    }
    Path run = jvmDir.resolve("run-" + runs.incrementAndGet());
    try {
      Files.createDirectory(run);
    } catch (IOException e) {
      throw new IllegalStateException("mkdir(" + run + ") failed: " + e.getMessage(), e);
    }
    try {
      return RunCgroup.open(run);
    } catch (RuntimeException e) {
      remove(run);
      throw e;
    }
  }

  /**
   * Gives back a run's cgroup once it is verified empty and thawed: kept as a spare, or removed.
   * Only called with "populated 0" just read, and the run's leader reaped.
   */
  void recycle(RunCgroup cgroup) {
    if (spares.incrementAndGet() <= MAX_SPARES) {
      spare.addFirst(cgroup);
    } else {
      spares.decrementAndGet();
      removeRun(cgroup);
    }
  }

  /** Closes a run cgroup's files and removes it, as {@link #removeRun(Path)} does. */
  static boolean removeRun(RunCgroup cgroup) {
    cgroup.close();
    return removeRun(cgroup.dir);
  }

  /**
   * Removes one cgroup; it must be empty and have no children. Never recursive: an empty sibling
   * may be another JVM's spare run cgroup. Returns false if the kernel refused.
   */
  static boolean remove(Path cgroup) {
    try {
      Files.deleteIfExists(cgroup);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Removes a run's cgroup, and the nested ones a killed inner Corral may have left in it. The
   * nested ones are looked for only when the plain removal fails, so the common case stays one
   * rmdir.
   */
  static boolean removeRun(Path cgroup) {
    if (remove(cgroup)) {
      return true;
    }
    try {
      removeNested(cgroup);
    } catch (IOException e) {
      return false;
    }
    return remove(cgroup);
  }

  /**
   * A nested Corral (a run that runs Corral) leaves its own cgroups inside the run's when it is
   * killed: they lie below a run cgroup this JVM created, so they are this JVM's to remove. Only
   * for run cgroups.
   */
  static void removeNested(Path cgroup) throws IOException {
    try (DirectoryStream<Path> children = Files.newDirectoryStream(cgroup, Files::isDirectory)) {
      for (Path child : children) {
        removeNested(child);
        Files.deleteIfExists(child);
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // already gone
    }
  }

  /** At JVM exit: remove this JVM's directory, and the base too if no other JVM uses it. */
  void removeOwn() {
    RunCgroup p;
    while ((p = spare.pollFirst()) != null) {
      removeRun(p);
    }
    remove(jvmDir);
    remove(base);
    try {
      // With a watchdog, the gate is its to remove: it first lets go of any child caught there.
      if (!Watchdog.started()) {
        deleteGate(gate);
      }
    } catch (IOException e) {
      // A stale gate directory is cleaned by the next JVM.
    }
  }

  private static Probe doProbe() {
    if (!ProcTable.ownNamespace()) {
      return new Probe(null, "/proc shows another pid namespace than this process's (a new pid"
          + " namespace without its own /proc mount): children cannot be found at the spawn gate");
    }
    String mountinfo;
    String own;
    try {
      mountinfo = Files.readString(Path.of("/proc/self/mountinfo"), StandardCharsets.ISO_8859_1);
      own = Files.readString(Path.of("/proc/self/cgroup"), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return new Probe(null, "cannot read /proc/self/mountinfo or /proc/self/cgroup: " + e.getMessage());
    }
    var mount = Mounts.cgroup2Mount(mountinfo);
    if (mount.isEmpty()) {
      return new Probe(null, "no cgroup2 file system is mounted (see /proc/self/mountinfo)");
    }
    var ownPath = Mounts.cgroup2Path(own);
    if (ownPath.isEmpty()) {
      return new Probe(null, "this process has no cgroup v2 path in /proc/self/cgroup");
    }
    Path root = Path.of(mount.get());
    Path base = root.resolve(ownPath.get().substring(1)).resolve(BASE_NAME);
    if (!Files.exists(base.resolveSibling("cgroup.procs"))) {
      return new Probe(null, "own cgroup " + base.getParent() + " is not visible in the cgroup2 mount "
          + root + " (a cgroup namespace or a v1-only process)");
    }
    CgroupFs.own(base);
    long pid = ProcessHandle.current().pid();
    ProcStat self = statOf(pid);
    long namespace = JvmName.ownNamespace();
    String jvmName = new JvmName(pid, self == null ? 0 : self.startTime(), namespace).text();
    Path jvmDir = base.resolve(jvmName);
    try {
      Files.createDirectories(base);
      cleanStale(base, namespace);
      Files.createDirectories(jvmDir);
    } catch (IOException | RuntimeException e) {
      return new Probe(null, "cannot create " + jvmDir + ": " + e.getMessage()
          + " (cgroup mode needs root, or a systemd-delegated subtree such as"
          + " 'systemd-run --user --scope -p Delegate=yes')");
    }
    if (!Files.exists(jvmDir.resolve("cgroup.freeze"))) {
      remove(jvmDir);
      remove(base);
      return new Probe(null, "the kernel has no cgroup.freeze (needs Linux 5.2 or later)");
    }
    boolean hasKill = Files.exists(jvmDir.resolve("cgroup.kill"));
    Path gate = Path.of(System.getProperty("java.io.tmpdir")).resolve("corral-gate-" + jvmName);
    CgroupHierarchy h = new CgroupHierarchy(root, base, jvmDir, gate, hasKill);
    boolean hybrid = mountinfo.contains(" - cgroup "); // a v1 hierarchy mounted beside v2
    return new Probe(h, () -> "cgroup v2 mounted at " + root
        + (hybrid ? " (hybrid: v1 controllers beside it)" : "")
        + "; this process's cgroup " + base.getParent() + " is writable " + delegation(base.getParent())
        + "; runs go under " + jvmDir
        + (hasKill ? "" : " (no cgroup.kill before Linux 5.14: KILL goes to each frozen member)")
        + (Mounts.cgroup2Options(mountinfo).orElse("").contains("favordynmods") ? ""
            : "; mounted without favordynmods, so the first move into a cgroup after a quiet"
            + " spell waits out an RCU grace period (10-20 ms measured on 2 CPUs): every first"
            + " spawn of a process pays it (the CLI's pre-forked command moves while the JVM starts)"));
  }

  /** Why Corral may write here: as root, or because the directory was delegated to this user. */
  private static String delegation(Path cgroup) {
    try {
      int owner = (int) Files.getAttribute(cgroup, "unix:uid");
      int uid = (int) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      if (uid == 0) {
        return "(running as root" + (owner == 0 ? ")" : ", delegated to uid " + owner + ")");
      }
      return "(delegated to uid " + owner + ")";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static void makeGate(Path dir) throws IOException {
    try {
      cleanStaleGates(dir.getParent(), JvmName.ownNamespace());
    } catch (IOException | RuntimeException e) {
      // Stale gates of dead JVMs are only litter; the next JVM tries again.
    }
    Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    Path fifo = dir.resolve("release");
    Files.deleteIfExists(fifo);
    try (Arena arena = Arena.ofConfined()) {
      int rc = PosixLibC.mkfifo(arena.allocateFrom(fifo.toString()), 0600);
      if (rc < 0) {
        throw Errors.fail("mkfifo", fifo.toString(), -rc);
      }
    }
  }

  private static void deleteGate(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve("release"));
    Files.deleteIfExists(dir);
  }

  /** Kills and removes what JVMs of pid namespace {@code own} that died left under {@code base}. */
  private static void cleanStale(Path base, long own) throws IOException {
    try (DirectoryStream<Path> jvms = Files.newDirectoryStream(base)) {
      for (Path jvm : jvms) {
        if (Files.isDirectory(jvm) && !ownerAlive(jvm.getFileName().toString(), own)) {
          int populated = 0;
          try (DirectoryStream<Path> runs = Files.newDirectoryStream(jvm, "{run,watch}-*")) {
            for (Path run : runs) {
              populated += CgroupFs.keyed(run.resolve("cgroup.events"), "populated") == 1 ? 1 : 0;
              CgroupTree.killAndRemove(run);
            }
          }
          remove(jvm);
          if (populated > 0) {
            // The watchdog normally ends them when their JVM dies: it could not, this time.
            System.getLogger(CgroupHierarchy.class.getName()).log(System.Logger.Level.WARNING,
                "corral: ended the processes of {0} runs a JVM that died left behind ({1})",
                populated, jvm);
          }
        }
      }
    }
  }

  private static void cleanStaleGates(Path tmp, long own) throws IOException {
    try (DirectoryStream<Path> gates = Files.newDirectoryStream(tmp, "corral-gate-*")) {
      for (Path dir : gates) {
        if (!ownerAlive(dir.getFileName().toString().substring("corral-gate-".length()), own)) {
          deleteGate(dir);
        }
      }
    }
  }

  /**
   * Whether the JVM of that name still runs: the same pid with the same start time. A name of
   * another pid namespace, or no JVM name at all, is not ours to judge and counts as alive.
   */
  private static boolean ownerAlive(String name, long own) {
    JvmName owner = JvmName.parse(name);
    if (owner == null || !owner.judgedFrom(own)) {
      return true;
    }
    ProcStat p = statOf(owner.pid());
    return p != null && !p.exited() && p.startTime() == owner.start();
  }

  /** One process's stat through plain file reading: the probe runs before any native call. */
  private static ProcStat statOf(long pid) {
    String line = ProcTable.readPlain(Path.of("/proc/" + pid + "/stat"));
    return line == null ? null : ProcStat.parse(line);
  }

}
