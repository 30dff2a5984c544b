package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.CorralException.Reason;
import dev.corral.CorralException;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.internal.NativeException;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.PosixLibC;
import dev.corral.internal.posix.PosixSpawn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child's stdin, stdout and stderr, opened on the caller's thread before the spawn, so that an
 * open that blocks holds up only its own run's start, never a thread other runs need.
 *
 * <p>A FIFO blocks its open until the other end is opened. Corral waits for that on a thread of
 * its own, within the run's deadline and the caller's interrupt; when either comes first, it opens
 * the other end itself without blocking, which releases the waiting open, and throws. An open
 * that blocks for another reason (a hung network file system) cannot be released: it holds up
 * only the caller.
 */
final class Stdio implements PosixSpawn.Streams {
  /**
   * /dev/null for reading and for writing, opened once with O_CLOEXEC and shared by every spawn:
   * the child gets them through dup2, which the parent's copies outlive.
   */
  static final int[] NULL_FDS = openNull();

  private static int[] openNull() {
    MemorySegment path = Arena.global().allocateFrom("/dev/null");
    int in = LibC.open(path, PosixLibC.O_RDONLY | PosixLibC.O_CLOEXEC, 0);
    int out = LibC.open(path, PosixLibC.O_WRONLY | PosixLibC.O_CLOEXEC, 0);
    if (in < 0 || out < 0) {
      throw Errors.fail("open", "/dev/null", -Math.min(in, out));
    }
    return new int[] {in, out};
  }

  private final int[] childEnds = new int[3];
  private final int[] parentEnds = new int[3];
  private int children;
  private int parents;

  /** {child end, parent end or -1}, or null to inherit the JVM's own. */
  private final int[] in;
  private final int[] out;
  /** Null also when stderr goes to stdout. */
  private final int[] err;

  /**
   * Opens what {@code command}'s streams need; {@code stdinFd}, when not -1, is the child's stdin
   * instead. {@code startNanos} is when the run started, for its deadline.
   */
  Stdio(Command command, int stdinFd, long startNanos) {
    try {
      in = stdinFd >= 0 ? new int[] {stdinFd, -1} : input(command, startNanos);
      out = output(command.stdout(), command, startNanos);
      err = command.stderr() instanceof Output.ToStdout ? null : output(command.stderr(), command, startNanos);
    } catch (RuntimeException e) {
      close();
      closeParentEnds();
      throw e;
    }
  }

  private int[] input(Command command, long startNanos) {
    return switch (command.stdin()) {
      case Input.None n -> new int[] {NULL_FDS[0], -1};
      case Input.Inherit i -> null;
      case Input.FromFile f -> new int[] {child(open(f.path(), PosixLibC.O_RDONLY, command, startNanos)), -1};
      case Input.Bytes b -> pipe(false, command);
      case Input.Pipe p -> pipe(false, command);
    };
  }

  private int[] output(Output output, Command command, long startNanos) {
    return switch (output) {
      case Output.Inherit i -> null;
      case Output.Discard d -> new int[] {NULL_FDS[1], -1};
      case Output.ToFile f -> new int[] {child(open(f.path(),
          PosixLibC.O_WRONLY | PosixLibC.O_CREAT | (f.append() ? PosixLibC.O_APPEND : PosixLibC.O_TRUNC), command, startNanos)), -1};
      case Output.ToStdout t -> throw new IllegalArgumentException("Output.toStdout() is for stderr only");
      case Output.Capture c -> pipe(true, command);
      case Output.Lines l -> pipe(true, command);
      case Output.Chunks c -> pipe(true, command);
      case Output.Pipe p -> pipe(true, command);
    };
  }

  /**
   * Opens {@code path}; a FIFO, whose open blocks until its other end is open, is awaited on a
   * thread of its own within the deadline (see the class). The FIFO is told by its file type,
   * never by opening it early: a writer already waiting would be let in, then see its reader
   * gone.
   */
  private static int open(Path path, int flags, Command command, long startNanos) {
    String shown = path.toString();
    if (isFifo(path)) {
      return awaitOtherEnd(shown, flags, command, startNanos);
    }
    int fd;
    try (Arena arena = Arena.ofConfined()) {
      fd = LibC.open(arena.allocateFrom(shown), flags | PosixLibC.O_CLOEXEC, 0666);
    }
    if (fd < 0) {
      throw openFailure(shown, -fd, command);
    }
    return fd;
  }

  private static boolean isFifo(Path path) {
    try {
      return (((Integer) java.nio.file.Files.getAttribute(path, "unix:mode")) & 0170000) == 0010000;
    } catch (java.io.IOException | RuntimeException e) {
      return false; // missing or unreadable: the open says why
    }
  }

  private static int awaitOtherEnd(String path, int flags, Command command, long startNanos) {
    CompletableFuture<Integer> opened = new CompletableFuture<>();
    java.util.concurrent.CountDownLatch returned = new java.util.concurrent.CountDownLatch(1);
    Thread.ofPlatform().daemon().name("corral-open").start(() -> {
      try (Arena arena = Arena.ofConfined()) {
        int fd = LibC.open(arena.allocateFrom(path), flags | PosixLibC.O_CLOEXEC, 0666);
        if (!opened.complete(fd) && fd >= 0) {
          PosixLibC.close(fd); // abandoned: the caller gave up on this run
        }
      } finally {
        returned.countDown();
      }
    });
    String why;
    boolean interrupted = false;
    try {
      long wait = command.deadline().map(d -> startNanos + d.toNanos() - System.nanoTime()).orElse(Long.MAX_VALUE);
      int fd = opened.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
      if (fd < 0) {
        throw openFailure(path, -fd, command);
      }
      return fd;
    } catch (TimeoutException e) {
      why = "its deadline passed while " + path + " waited for a "
          + ((flags & PosixLibC.O_WRONLY) == 0 ? "writer" : "reader");
    } catch (InterruptedException e) {
      interrupted = true;
      why = "interrupted while " + path + " waited for a " + ((flags & PosixLibC.O_WRONLY) == 0 ? "writer" : "reader");
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    release(path, flags, opened, returned);
    if (interrupted) {
      Thread.currentThread().interrupt(); // kept for the caller, after the release's own waits
    }
    throw new CorralException(interrupted ? Reason.INTERRUPTED : Reason.DEADLINE_BEFORE_START,
        command.toString(), "not started: " + why, 0, null);
  }

  /**
   * Gives up an open still waiting for the FIFO's other end: opens that end itself without
   * blocking, which lets the waiting open return, until it has (bounded, in case the path no
   * longer names the FIFO).
   */
  private static void release(String path, int flags, CompletableFuture<Integer> opened,
      java.util.concurrent.CountDownLatch returned) {
    if (!opened.complete(-1)) {
      int fd = opened.join(); // it opened just as the caller gave up
      if (fd >= 0) {
        PosixLibC.close(fd);
      }
      return;
    }
    int other = ((flags & PosixLibC.O_WRONLY) == 0 ? PosixLibC.O_WRONLY : PosixLibC.O_RDONLY) | PosixLibC.O_NONBLOCK | PosixLibC.O_CLOEXEC;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment cPath = arena.allocateFrom(path);
      for (int i = 0; i < 1000 && returned.getCount() > 0; i++) {
        int fd = LibC.open(cPath, other, 0);
        if (fd >= 0) {
          PosixLibC.close(fd);
        }
        try {
          returned.await(1, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static CorralException openFailure(String path, int errno, Command command) {
    Reason reason = (errno == Errors.ERRNO.EMFILE || errno == Errors.ERRNO.ENFILE) ? Reason.RESOURCE_LIMIT : Reason.BAD_REDIRECT;
    return new CorralException(reason, command.toString(),
        "cannot open " + path + ": open(..) failed: " + Errors.describe(errno), errno, null);
  }

  private int child(int fd) {
    childEnds[children++] = fd;
    return fd;
  }

  /** A pipe whose parent end is non-blocking; {@code childWrites} picks the direction. */
  private int[] pipe(boolean childWrites, Command command) {
    int read;
    int write;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pair = arena.allocate(ValueLayout.JAVA_INT, 2);
      LibC.pipe2(pair, PosixLibC.O_CLOEXEC);
      read = pair.getAtIndex(ValueLayout.JAVA_INT, 0);
      write = pair.getAtIndex(ValueLayout.JAVA_INT, 1);
    } catch (NativeException e) {
      Reason reason = (e.errno() == Errors.ERRNO.EMFILE || e.errno() == Errors.ERRNO.ENFILE) ? Reason.RESOURCE_LIMIT : Reason.SYSTEM;
      throw new CorralException(reason, command.toString(), "cannot create a pipe: " + e.getMessage(), e.errno(), e);
    }
    int child = childWrites ? write : read;
    int parent = childWrites ? read : write;
    child(child);
    parentEnds[parents++] = parent;
    LibC.fcntl(parent, LibC.F_SETFL, PosixLibC.O_NONBLOCK);
    return new int[] {child, parent};
  }

  @Override
  public int childEnd(int fd) {
    int[] ends = fd == 0 ? in : fd == 1 ? out : err;
    return ends == null ? -1 : ends[0];
  }

  @Override
  public int parentEnd(int fd) {
    int[] ends = fd == 0 ? in : fd == 1 ? out : err;
    return ends == null ? -1 : ends[1];
  }

  /** Closes the child's ends: after the spawn, which gave the child its copies, or on failure. */
  @Override
  public void close() {
    for (int i = 0; i < children; i++) {
      PosixLibC.close(childEnds[i]);
    }
    children = 0;
  }

  /** Closes the parent's ends too: the run never started. */
  @Override
  public void closeParentEnds() {
    for (int i = 0; i < parents; i++) {
      PosixLibC.close(parentEnds[i]);
    }
    parents = 0;
  }
}
