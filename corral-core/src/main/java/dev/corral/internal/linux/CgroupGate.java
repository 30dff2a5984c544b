package dev.corral.internal.linux;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;

/**
 * Places a spawned child in its cgroup before it runs a single instruction of its own, on a glibc
 * without posix_spawnattr_setcgroup_np (before 2.39).
 *
 * <p>The child's last file action opens a FIFO for reading, which blocks until a writer appears;
 * that is after setsid and before exec, and posix_spawn's CLONE_VFORK blocks only the spawning
 * thread. Meanwhile the gate thread watches the spawning thread's children; as soon as the new
 * child appears (right after clone) it writes the child's pid into the run's cgroup.procs, and only
 * then opens the FIFO for writing, which lets the child go on to exec. The move usually completes
 * while the child still resets its signals, so the child seldom waits at all. Until exec the child
 * runs only glibc's spawn code, which cannot fork, so nothing escapes. One FIFO serves every spawn,
 * so gated spawns take turns.
 */
final class CgroupGate implements Spawner.Gate {
  /** One gated child in flight at a time; taken by the spawner, given back by the gate thread. */
  private static final Semaphore TURN = new Semaphore(1);
  private static final int GATE_FD = 3;
  private static final LinkedBlockingQueue<Runnable> WORK = new LinkedBlockingQueue<>();
  private static final long GIVE_UP_NANOS = 5_000_000_000L;

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
  private final Path procs;
  private int tid;
  private Set<Integer> before;
  private volatile boolean spawning;
  private volatile String failure;
  /** Counted down when the gate thread has closed everything for this spawn. */
  private CountDownLatch done;

  /** @param release the FIFO's path as a C string, readable from any thread */
  CgroupGate(MemorySegment release, Path cgroup) {
    this.release = release;
    this.procs = cgroup.resolve("cgroup.procs");
  }

  @Override
  public void addTo(MemorySegment fileActions) {
    LibC.fileActionsAddOpen(fileActions, GATE_FD, release, LibC.O_RDONLY, 0);
    LibC.fileActionsAddClose(fileActions, GATE_FD);
  }

  @Override
  public void arm() {
    TURN.acquireUninterruptibly();
    tid = LibC.gettid();
    before = children(tid);
    failure = null;
    done = new CountDownLatch(1);
    spawning = true;
    WORK.add(this::admit);
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
      long start = System.nanoTime();
      int child = 0;
      while (child == 0) {
        if (!spawning) {
          return; // posix_spawn failed before clone
        }
        child = newChild();
        if (child == 0) {
          if (System.nanoTime() - start > GIVE_UP_NANOS) {
            // Should never happen. The spawner is stuck in posix_spawn until the child passes,
            // so let it pass rather than hang; the spawner kills it at once, by its pid.
            failure = "the spawned child did not appear under thread " + tid;
            closeIfOpened(LibC.open(release, LibC.O_WRONLY | LibC.O_CLOEXEC, 0));
            return;
          }
          Thread.onSpinWait();
        }
      }
      int rc = CgroupFs.tryWrite(procs, Integer.toString(child));
      if (rc < 0) {
        failure = Errors.fail("write", procs + " <- " + child, -rc).getMessage();
        // Our own unreaped child, held at the gate: its pid cannot have been recycled.
        LibC.kill(child, LibC.SIGKILL);
      }
      // Open the write end even after a failure, so that the child leaves the gate (to die).
      closeIfOpened(LibC.open(release, LibC.O_WRONLY | LibC.O_CLOEXEC, 0));
    } finally {
      done.countDown();
      // Only now may another child come to the gate: this spawn's end of the FIFO is closed.
      TURN.release();
    }
  }

  private static void closeIfOpened(int fd) {
    if (fd >= 0) {
      LibC.close(fd);
    }
  }

  private int newChild() {
    for (int pid : children(tid)) {
      if (!before.contains(pid)) {
        return pid;
      }
    }
    return 0;
  }

  /** All of a thread's children: the list grows with every live run that thread started. */
  private static Set<Integer> children(int tid) {
    Set<Integer> pids = new HashSet<>();
    String text;
    try {
      text = Files.readString(Path.of("/proc/self/task/" + tid + "/children"), StandardCharsets.US_ASCII);
    } catch (java.io.IOException e) {
      return pids;
    }
    for (String s : text.trim().split(" ")) {
      if (!s.isEmpty()) {
        pids.add(Integer.parseInt(s));
      }
    }
    return pids;
  }
}
