package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.internal.Child;
import dev.corral.internal.Delivery;
import dev.corral.internal.Outcome;
import dev.corral.internal.StopSequence;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * One run on Linux: what the {@link StopSequence} needs from this OS. The leader is watched
 * through its pidfd and read with waitid(WNOWAIT), so it stays unreaped, keeping its pid, group
 * id and session id from reuse, until the tree is verified empty and the pipes are drained; then
 * it is reaped and the tree's layer is closed (the cgroup removed). After {@link #supervise},
 * everything but {@link #awaitLeader} runs on the service thread.
 */
final class LinuxRun implements Child {
  /** How often to repeat SIGKILL while something survives. */
  private static final long KILL_RETRY_NANOS = 10_000_000L;

  private final Supervisor supervisor;
  private final Command command;
  private final int pid;
  private final int pidfd;
  private final RunStreams streams;
  private final StopSequence sequence;
  /** Guards {@link #pidfd} against being closed while a waiting caller duplicates it. */
  private final Object pidfdLock = new Object();
  private boolean pidfdClosed;
  private boolean watchingLeader;
  /** How many runs the platform supervises now, this one included. */
  private final IntSupplier runsInFlight;

  LinuxRun(Supervisor supervisor, Command command, long startNanos, Spawner.Spawned spawned,
      Tree tree, IntSupplier runsInFlight) {
    this.runsInFlight = runsInFlight;
    this.supervisor = supervisor;
    this.command = command;
    this.pid = spawned.pid();
    this.pidfd = spawned.pidfd();
    this.streams = new RunStreams(supervisor, command, spawned, () -> sequence().streamsChanged(),
        new Delivery.Listener() {
          @Override
          public void failed(Throwable failure) {
            sequence().post(() -> sequence().consumerFailed(failure));
          }

          @Override
          public void over() {
            sequence().post(() -> sequence().streamsChanged());
          }
        });
    this.sequence = new StopSequence(command, startNanos, supervisor, new Leader(), tree, streams,
        LibC.SIGKILL, KILL_RETRY_NANOS);
  }

  private StopSequence sequence() {
    return sequence;
  }

  /** Hand the run to the service thread; {@code done} gets the outcome once, there. */
  void supervise(Consumer<Outcome> done) {
    sequence.start(() -> {
      watchingLeader = true;
      supervisor.watch(pidfd, LibC.EPOLLIN, events -> sequence.guard(sequence::leaderChanged).run());
      streams.watch(sequence::guard);
    }, done);
  }

  @Override
  public long pid() {
    return pid;
  }

  Command command() {
    return command;
  }

  @Override
  public void cancel(int signal, boolean resend) {
    sequence.post(() -> sequence.cancel(signal, resend));
  }

  /**
   * Polls a duplicate of the pidfd (the service thread may close the original meanwhile). True
   * only when the exit came during the wait and this is the only run in flight: then the service
   * thread is finishing this run right now, and nothing else.
   */
  @Override
  public boolean awaitLeader(int millis) {
    int fd;
    synchronized (pidfdLock) {
      if (pidfdClosed) {
        return false;
      }
      fd = LibC.fcntlQuiet(pidfd, LibC.F_DUPFD_CLOEXEC, 0);
    }
    if (fd < 0) {
      return false;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment poll = arena.allocate(Layouts.POLLFD);
      Layouts.setPollFd(poll, fd, LibC.POLLIN);
      return LibC.poll(poll, 1, millis) > 0 && runsInFlight.getAsInt() == 1;
    } finally {
      LibC.close(fd);
    }
  }

  /** The leader through its pidfd. Service thread only. */
  private final class Leader implements StopSequence.Leader {
    @Override
    public long pid() {
      return pid;
    }

    /** Reads the status without reaping (WNOWAIT), and stops watching once it has exited. */
    @Override
    public StopSequence.Exit poll() {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment info = arena.allocate(Layouts.SIGINFO);
        LibC.waitidPidfd(pidfd, info, LibC.WEXITED | LibC.WNOWAIT | LibC.WNOHANG);
        if (Layouts.siPid(info) == 0) {
          return null;
        }
        unwatch();
        int status = Layouts.siStatus(info);
        return Layouts.siCode(info) == LibC.CLD_EXITED
            ? new StopSequence.Exit(status, 0) : new StopSequence.Exit(-1, status);
      }
    }

    @Override
    public void release(boolean reap) {
      unwatch(); // supervision gave up with the leader alive, or failed: close must not block
      if (reap) {
        try (Arena arena = Arena.ofConfined()) {
          LibC.waitidPidfd(pidfd, arena.allocate(Layouts.SIGINFO), LibC.WEXITED);
        }
      }
      synchronized (pidfdLock) {
        if (!pidfdClosed) {
          pidfdClosed = true;
          LibC.close(pidfd);
        }
      }
    }

    private void unwatch() {
      if (watchingLeader) {
        watchingLeader = false;
        supervisor.unwatch(pidfd);
      }
    }
  }
}
