package dev.corral.internal.linux;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Places a spawned child in its cgroup before it runs a single instruction of its own, on a glibc
 * without posix_spawnattr_setcgroup_np (before 2.39).
 *
 * <p>The child's last file action opens a FIFO for reading, which blocks until a writer appears;
 * that is after setsid and before exec. posix_spawn uses CLONE_VFORK, so only the spawning thread
 * waits. Meanwhile the service thread finds the new child among the spawning thread's children,
 * writes its pid into the run's cgroup.procs, and only then opens the FIFO for writing, which
 * releases the child into exec. Until exec the child runs only glibc's spawn code, which cannot
 * fork, so nothing can escape. One FIFO serves every spawn, so gated spawns take turns.
 */
final class CgroupGate implements Spawner.Gate {
  private static final ReentrantLock TURN = new ReentrantLock();
  private static final int GATE_FD = 3;
  private static final long GIVE_UP_NANOS = 5_000_000_000L;

  private final Supervisor supervisor;
  private final MemorySegment fifo;
  private final Path procs;
  private int tid;
  private Set<Integer> before;
  private volatile boolean spawning;
  private volatile String failure;
  private CountDownLatch released;

  /** @param fifo the FIFO's path as a C string, readable from any thread */
  CgroupGate(Supervisor supervisor, MemorySegment fifo, Path cgroup) {
    this.supervisor = supervisor;
    this.fifo = fifo;
    this.procs = cgroup.resolve("cgroup.procs");
  }

  @Override
  public void addTo(MemorySegment fileActions) {
    LibC.fileActionsAddOpen(fileActions, GATE_FD, fifo, LibC.O_RDONLY, 0);
    LibC.fileActionsAddClose(fileActions, GATE_FD);
  }

  @Override
  public void arm() {
    TURN.lock();
    tid = LibC.gettid();
    before = children(tid);
    failure = null;
    released = new CountDownLatch(1);
    spawning = true;
    if (supervisor.inLoop()) {
      // Spawning from a consumer callback: the service thread is the one blocked in posix_spawn.
      Thread.ofVirtual().name("corral-gate").start(this::release);
    } else {
      supervisor.execute(this::release);
    }
  }

  @Override
  public String disarm() {
    spawning = false;
    try {
      released.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // The releaser ends on its own now that spawning is false; keep the turn until then.
      while (released.getCount() > 0) {
        Thread.onSpinWait();
      }
    } finally {
      TURN.unlock();
    }
    return failure;
  }

  private void release() {
    try {
      long start = System.nanoTime();
      int child = 0;
      while (child == 0) {
        if (!spawning) {
          return; // posix_spawn failed before the child reached the gate
        }
        child = newChild();
        if (child == 0 && timedOut(start)) {
          failure = "the spawned child did not appear under thread " + tid;
          return;
        }
      }
      int rc = CgroupFs.tryWrite(procs, Integer.toString(child));
      if (rc < 0) {
        failure = Errors.fail("write", procs + " <- " + child, -rc).getMessage();
        // Our own unreaped child, held at the gate: a bare kill cannot hit a recycled pid.
        LibC.kill(child, LibC.SIGKILL);
        return;
      }
      while (true) {
        int fd = LibC.open(fifo, LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd >= 0) {
          LibC.close(fd);
          return;
        }
        if (-fd != Errors.ENXIO || timedOut(start)) {
          failure = Errors.fail("open", fifo.getString(0) + " for writing", -fd).getMessage();
          LibC.kill(child, LibC.SIGKILL);
          return;
        }
        if (!spawning) {
          return; // the child died before reaching the gate
        }
        Thread.onSpinWait();
      }
    } finally {
      released.countDown();
    }
  }

  private static boolean timedOut(long start) {
    return System.nanoTime() - start > GIVE_UP_NANOS;
  }

  private int newChild() {
    for (int pid : children(tid)) {
      if (!before.contains(pid)) {
        return pid;
      }
    }
    return 0;
  }

  private static Set<Integer> children(int tid) {
    Set<Integer> pids = new HashSet<>();
    try {
      String text = Files.readString(Path.of("/proc/self/task/" + tid + "/children"), StandardCharsets.US_ASCII);
      for (String s : text.trim().split(" ")) {
        if (!s.isEmpty()) {
          pids.add(Integer.parseInt(s));
        }
      }
    } catch (java.io.IOException e) {
      return pids;
    }
    return pids;
  }
}
