package dev.corral.internal.linux;

import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.PosixLibC;
import dev.corral.internal.posix.PosixSpawn;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * Places a spawned child in its cgroup before it runs a single instruction of its own, on a glibc
 * without posix_spawnattr_setcgroup_np (before 2.39).
 *
 * <p>The child's last file action opens a FIFO, "release", for reading. That open blocks until
 * the FIFO has a writer; it comes after setsid and before exec, and posix_spawn's CLONE_VFORK
 * blocks only the spawning thread. Meanwhile the gate thread looks for the child among the
 * spawning thread's children, writes its pid into the run's cgroup.procs, and only then opens
 * "release" read-write, which lets the child go on to exec. Until exec the child runs only
 * glibc's spawn code, which cannot fork, so nothing escapes. The spawning thread closes the
 * gate's end once posix_spawn has returned, so the next child waits again.
 *
 * <p>Nothing on the child's path wakes a sleeping thread if the gate is quick enough: waking one
 * costs tens of microseconds on these virtual machines. So the gate thread spins while it looks
 * (the child appears tens of microseconds after posix_spawn is called, and then resets 64 signal
 * dispositions, calls setsid and dup2 and closes descriptors before it reaches the FIFO), then
 * polls ever less often; and its read-write open neither blocks nor needs the child to wake it.
 * One FIFO serves every spawn, so gated spawns take turns.
 */
final class CgroupGate implements PosixSpawn.Gate {
  /** One gated child in flight at a time: taken in takeTurn, given back in endTurn. */
  private static final Semaphore TURN = new Semaphore(1);
  private static final LinkedBlockingQueue<Runnable> WORK = new LinkedBlockingQueue<>();
  /**
   * The gate thread's buffer for the children list, which it reads over and over while it spins:
   * 64 KiB holds thousands of pids, so a spawning thread with many live children keeps the cheap
   * path.
   */
  private static final MemorySegment LIST = java.lang.foreign.Arena.global().allocate(1 << 16);
  /** How long the gate spins for the spawning thread, then for the child, before it polls. */
  private static final long SPIN_NANOS = 1_000_000L;
  /** A child not found by then is not coming: the spawn failed, or the kernel refuses kcmp. */
  private static final long GIVE_UP_NANOS = 10_000_000_000L;

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

  private final MemorySegment release;
  private final RunCgroup cgroup;
  // Written by the spawning thread just before posix_spawn (tid last), read by the gate thread.
  private volatile int tid;
  private volatile Set<Integer> before;
  private volatile boolean spawning;
  private volatile String failure;
  /** Counted down when the gate thread is done with this spawn (a gate serves one spawn). */
  private final CountDownLatch done = new CountDownLatch(1);
  /** The gate's open end of the FIFO, or -1; closed by the spawning thread in disarm. */
  private volatile int held = -1;

  /** @param release the FIFO's path as a C string, readable from any thread */
  CgroupGate(MemorySegment release, RunCgroup cgroup) {
    this.release = release;
    this.cgroup = cgroup;
  }

  @Override
  public void addTo(MemorySegment fileActions, int fd) {
    PosixLibC.fileActionsAddOpen(fileActions, fd, release, PosixLibC.O_RDONLY, 0);
    PosixLibC.fileActionsAddClose(fileActions, fd);
  }

  /**
   * Waits for the gate's turn, which {@link #endTurn} gives back, until {@code deadlineNanos} on
   * the {@link System#nanoTime} clock.
   *
   * @throws dev.corral.CorralException when the deadline passes or the thread is interrupted first
   */
  static void takeTurn(dev.corral.Command command, long deadlineNanos) {
    String why = null;
    boolean interrupted = false;
    try {
      if (!TURN.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
        why = "its deadline passed while it waited for its turn to spawn";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      interrupted = true;
      why = "interrupted while it waited for its turn to spawn";
    }
    if (why != null) {
      throw new dev.corral.CorralException(interrupted ? dev.corral.CorralException.Reason.INTERRUPTED
          : dev.corral.CorralException.Reason.DEADLINE_BEFORE_START, command.toString(),
          "not started: " + why, 0, null);
    }
  }

  static void endTurn() {
    TURN.release();
  }

  /** Within the caller's turn ({@link #takeTurn}). */
  @Override
  public void arm() {
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
    before = kcmpWorks ? null : new HashSet<>(children(self, -1));
    tid = self;
  }

  @Override
  public String disarm(boolean spawned) {
    spawning = false;
    // The gate thread never blocks: it stops looking once spawning is false, and it is done with
    // this spawn by the time the child has left the gate, or at most moments after.
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    // The child opened its end by now, or never will (posix_spawn returned): the next child must
    // find the FIFO without a writer again.
    if (held >= 0) {
      PosixLibC.close(held);
      held = -1;
    }
    return failure;
  }

  /** On the gate thread. */
  private void admit() {
    try {
      int child = awaitChild();
      if (child == 0) {
        if (spawning) {
          failure = "the child did not show among thread " + tid + "'s children";
          // Whatever waits at the gate goes on to exec; the spawner then kills it by its pid.
          open(0);
        }
        return; // else the spawn failed before the gate
      }
      int rc = cgroup.place(child);
      if (rc < 0) {
        failure = Errors.fail("write", cgroup.dir.resolve("cgroup.procs") + " <- " + child, -rc).getMessage();
        // Our own unreaped child, held at the gate: its pid cannot have been recycled.
        PosixLibC.kill(child, LibC.SIGKILL);
      }
      // Open even after a failure, so that the child leaves the gate (to die).
      open(child);
    } finally {
      done.countDown();
    }
  }

  /**
   * Opens the gate: read-write, which never blocks and counts as a writer, so the child's open
   * for reading returns at once, or wakes if it came first. Nobody waits for the child's open:
   * the spawning thread closes this end once posix_spawn has returned.
   */
  private void open(int child) {
    held = LibC.open(release, PosixLibC.O_RDWR | PosixLibC.O_CLOEXEC, 0);
    if (held < 0) {
      if (failure == null) {
        failure = Errors.fail("open", release.getString(0), -held).getMessage();
      }
      if (child != 0) {
        // Out of descriptors: the child cannot pass, so it dies where it waits.
        PosixLibC.kill(child, LibC.SIGKILL);
      }
    }
  }

  /**
   * The child, once it shows among the spawning thread's children; 0 if the spawn ended first,
   * or {@link #GIVE_UP_NANOS} after the spawning thread named itself. Spins for a while after
   * that, then polls ever less often.
   */
  private int awaitChild() {
    long start = System.nanoTime();
    boolean named = false;
    int fd = -1;
    // Children already found not to be ours: checked once each while spinning, not every round.
    Set<Integer> rejected = new HashSet<>();
    try {
      for (int round = 0; spawning; round++) {
        int t = tid;
        if (t != 0) {
          if (!named) {
            named = true;
            start = System.nanoTime();
            fd = ProcTable.openRead("/proc/self/task/" + t + "/children");
            round = 0;
          }
          int pid = newChild(children(t, fd), round, rejected);
          if (pid != 0) {
            return pid;
          }
        }
        long waited = System.nanoTime() - start;
        if (named && waited > GIVE_UP_NANOS) {
          return 0;
        }
        if (waited < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          // A pid rejected earlier may have been freed and given to the child since.
          rejected.clear();
          LockSupport.parkNanos(Math.min(waited / 8, 1_000_000L));
        }
      }
      return 0;
    } finally {
      closeIfOpened(fd);
    }
  }

  private static void closeIfOpened(int fd) {
    if (fd >= 0) {
      PosixLibC.close(fd);
    }
  }

  /**
   * The child in flight, from the spawning thread's children: the one that still shares this
   * JVM's memory (kcmp KCMP_VM), or 0. That thread is blocked in posix_spawn, so it has exactly
   * one child not yet exec'd: ours. The children list alone is not proof: the kernel may skip
   * entries while other children exit, so an old child missing from {@link #before} would look
   * new, and a pid freed after {@code before} was read may come back as the new child's. Hence
   * the list is read again until the child shows.
   */
  private int newChild(List<Integer> now, int round, Set<Integer> rejected) {
    // Newest last: the kernel appends a new child to its parent's list.
    for (int i = now.size() - 1; i >= 0; i--) {
      int pid = now.get(i);
      if ((before == null || round > 0 || !before.contains(pid)) && !rejected.contains(pid)) {
        if (ours(pid)) {
          return pid;
        }
        rejected.add(pid);
      }
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
      if (rc != -Errors.ERRNO.ENOSYS && rc != -Errors.ERRNO.EPERM) {
        kcmpWorks |= rc == 0;
        return rc == 0;
      }
      noKcmp = true;
    }
    return before != null && !before.contains(pid);
  }

  /**
   * The thread's children, in the kernel's order (oldest first), read through {@code fd} when it
   * is open and the list fits the buffer.
   */
  private static List<Integer> children(int tid, int fd) {
    List<Integer> pids = new ArrayList<>();
    String text = fd >= 0 ? ProcTable.readFrom(fd, true, LIST) : null;
    if (text == null) {
      // Read whole: with hundreds of live children the list outgrows a small buffer.
      text = ProcTable.readAll("/proc/self/task/" + tid + "/children");
    }
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
