package dev.corral.internal.linux;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;

/**
 * Places a spawned child in its cgroup before it runs a single instruction of its own, on a glibc
 * without posix_spawnattr_setcgroup_np (before 2.39).
 *
 * <p>The child's last file actions open two FIFOs: "arrive" for writing, then "release" for
 * reading. Each open blocks until the other end is opened; both happen after setsid and before
 * exec, and posix_spawn's CLONE_VFORK blocks only the spawning thread. The gate thread opens
 * "arrive" for reading, which returns once the child stands at the gate; it then finds the child
 * among the spawning thread's children, writes its pid into the run's cgroup.procs, and only then
 * opens "release" for writing, which lets the child go on to exec. Until exec the child runs only
 * glibc's spawn code, which cannot fork, so nothing escapes. Nobody spins: every wait is a
 * blocking open. One pair of FIFOs serves every spawn, so gated spawns take turns.
 */
final class CgroupGate implements Spawner.Gate {
  /** One gated child in flight at a time; taken by the spawner, given back by the gate thread. */
  private static final Semaphore TURN = new Semaphore(1);
  private static final int GATE_FD = 3;
  private static final LinkedBlockingQueue<Runnable> WORK = new LinkedBlockingQueue<>();

  static {
    Thread.ofPlatform().daemon().name("corral-gate").start(() -> {
      while (true) {
        try {
          WORK.take().run();
        } catch (InterruptedException e) {
          // Not expected: this thread is Corral's own. Keep serving.
        } catch (RuntimeException | Error e) {
          System.getLogger(CgroupGate.class.getName()).log(System.Logger.Level.ERROR, "gate failed", e);
        }
      }
    });
  }

  private final MemorySegment arrive;
  private final MemorySegment release;
  private final Path procs;
  // Written by the spawning thread just before posix_spawn, read by the gate thread once the
  // child stands at the gate.
  private volatile int tid;
  private volatile Set<Integer> before;
  private volatile boolean spawning;
  private volatile String failure;
  /** Counted down when the gate thread has closed everything for this spawn. */
  private CountDownLatch done;

  /** @param arrive the FIFO paths as C strings, readable from any thread */
  CgroupGate(CgroupHierarchy.Fifos fifos, Path cgroup) {
    this.arrive = fifos.arrive();
    this.release = fifos.release();
    this.procs = cgroup.resolve("cgroup.procs");
  }

  @Override
  public void addTo(MemorySegment fileActions) {
    LibC.fileActionsAddOpen(fileActions, GATE_FD, arrive, LibC.O_WRONLY, 0);
    LibC.fileActionsAddClose(fileActions, GATE_FD);
    LibC.fileActionsAddOpen(fileActions, GATE_FD, release, LibC.O_RDONLY, 0);
    LibC.fileActionsAddClose(fileActions, GATE_FD);
  }

  @Override
  public void arm() {
    TURN.acquireUninterruptibly();
    failure = null;
    done = new CountDownLatch(1);
    spawning = true;
    WORK.add(this::admit);
  }

  /**
   * The spawning thread's kernel id, read just before posix_spawn. Spawns never run on virtual
   * threads (LinuxPlatform hands those to a platform thread), whose carrier could change.
   */
  @Override
  public void beforeSpawn() {
    int self = LibC.gettid();
    // Once kcmp has been seen to work, the child is recognised by itself: no snapshot needed.
    before = kcmpWorks ? null : new HashSet<>(children(self));
    tid = self;
  }

  @Override
  public String disarm(boolean spawned) {
    spawning = false;
    if (spawned && failure == null) {
      // The child passed the gate (posix_spawn returns only after exec), so it was placed, and the
      // gate thread gives the turn back on its own after closing its end: nothing to wait for.
      return null;
    }
    // The spawn failed, or the placement did: the gate thread may still wait in an open() for a
    // child that is gone. Stand in as the missing other end until it is done.
    boolean interrupted = false;
    while (true) {
      try {
        if (done.await(1, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
      closeIfOpened(LibC.open(arrive, LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0));
      closeIfOpened(LibC.open(release, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0));
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return failure;
  }

  /** On the gate thread. */
  private void admit() {
    try {
      int fd = LibC.open(arrive, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
      closeIfOpened(fd);
      if (!spawning) {
        return; // released by disarm: the spawn failed before the gate
      }
      if (fd < 0) {
        failure = Errors.fail("open", arrive.getString(0), -fd).getMessage();
        return; // the child stays blocked; disarm's stand-in opens let it go, and it is killed
      }
      int child = newChild();
      int rc = child == 0 ? -Errors.ESRCH : CgroupFs.tryWrite(procs, Integer.toString(child));
      if (rc < 0) {
        failure = child == 0 ? "the child at the gate is not among thread " + tid + "'s children"
            : Errors.fail("write", procs + " <- " + child, -rc).getMessage();
        if (child != 0) {
          // Our own unreaped child, held at the gate: its pid cannot have been recycled.
          LibC.kill(child, LibC.SIGKILL);
        }
      }
      // Open the release end even after a failure, so that the child leaves the gate (to die).
      closeIfOpened(LibC.open(release, LibC.O_WRONLY | LibC.O_CLOEXEC, 0));
    } finally {
      done.countDown();
      // Only now may another child come to the gate: this spawn's FIFO ends are all closed.
      TURN.release();
    }
  }

  private static void closeIfOpened(int fd) {
    if (fd >= 0) {
      LibC.close(fd);
    }
  }

  /**
   * The child at the gate: among the spawning thread's children, the one that still shares this
   * JVM's memory (kcmp KCMP_VM). That thread is blocked in posix_spawn, so it has exactly one
   * child not yet exec'd: ours. The children list alone is not proof: the kernel may skip
   * entries while other children exit, so an old child missing from {@link #before} would look
   * new, and a pid freed after {@code before} was read may come back as the new child's. The
   * list is re-read while the child is missing from it, for up to 50 ms.
   */
  private int newChild() {
    long deadline = System.nanoTime() + 50_000_000L;
    for (int round = 0; System.nanoTime() - deadline < 0; round++) {
      List<Integer> now = children(tid);
      // Newest last: the kernel appends a new child to its parent's list.
      for (int i = now.size() - 1; i >= 0; i--) {
        int pid = now.get(i);
        if ((before == null || round > 0 || !before.contains(pid)) && ours(pid)) {
          return pid;
        }
      }
      Thread.onSpinWait();
    }
    return 0;
  }

  private static final int SELF = (int) ProcessHandle.current().pid();

  /** Set once kcmp(2) proves missing or refused (no CONFIG_CHECKPOINT_RESTORE, a strict Yama). */
  private static volatile boolean noKcmp;
  /** Set once kcmp(2) has recognised a child. */
  private static volatile boolean kcmpWorks;

  /** Whether {@code pid} shares this JVM's memory; without kcmp(2), whether it is new. */
  private boolean ours(int pid) {
    if (!noKcmp) {
      int rc = LibC.kcmp(SELF, pid, LibC.KCMP_VM);
      if (rc != -Errors.ENOSYS && rc != -Errors.EPERM) {
        kcmpWorks |= rc == 0;
        return rc == 0;
      }
      noKcmp = true;
    }
    return before != null && !before.contains(pid);
  }

  /** The thread's children, in the kernel's order (oldest first). */
  private static List<Integer> children(int tid) {
    List<Integer> pids = new ArrayList<>();
    // Read whole: with hundreds of live children the list outgrows a small buffer.
    String text = ProcTable.readAll("/proc/self/task/" + tid + "/children");
    if (text != null) {
      for (String s : text.trim().split(" ")) {
        if (!s.isEmpty()) {
          pids.add(Integer.parseInt(s));
        }
      }
    }
    return pids;
  }
}
