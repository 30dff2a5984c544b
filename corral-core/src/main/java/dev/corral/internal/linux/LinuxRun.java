package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.internal.Child;
import dev.corral.internal.Delivery;
import dev.corral.internal.Members;
import dev.corral.internal.Outcome;
import dev.corral.internal.StopSequence;
import dev.corral.internal.posix.PosixLayout;
import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
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

  private final Command command;
  private final PidfdLeader leader;
  private final RunStreams streams;
  private final StopSequence sequence;
  /** How many runs the platform supervises now, this one included. */
  private final IntSupplier runsInFlight;

  /**
   * @param held the starting platform thread waits for the outcome next, in {@link #awaitLeader}:
   *     with no stdin to feed and output only captured, the run stays with that thread until
   *     then (see {@link #supervise})
   */
  LinuxRun(Supervisor supervisor, Command command, long startNanos, Spawner.Spawned spawned,
      Members tree, IntSupplier runsInFlight, boolean held) {
    this.runsInFlight = runsInFlight;
    this.command = command;
    this.leader = new PidfdLeader(supervisor, spawned.pid(), spawned.pidfd());
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
    this.sequence = new StopSequence(command, startNanos, supervisor, leader, tree, streams,
        LibC.SIGKILL, KILL_RETRY_NANOS);
    this.held = held && streams.holdable();
  }

  private StopSequence sequence() {
    return sequence;
  }

  /**
   * Hand the run to the service thread; {@code done} gets the outcome once, there. Where only
   * the leader's exit, output or the deadline can call for the service thread, this thread puts
   * the pidfd and pipes in its epoll set, and the service thread registers their handlers when
   * it next wakes (at their first event at the latest) instead of being woken for it now.
   *
   * <p>A held run (no stdin to feed, output only captured, its starting platform thread about to
   * wait in {@link #awaitLeader}) stays with that thread until then, and that thread reads the
   * output: a short command then ends without the service thread ever hearing of it.
   */
  void supervise(Consumer<Outcome> done) {
    this.done = done;
    synchronized (this) {
      if (held) {
        return;
      }
    }
    handOver();
  }

  private void handOver() {
    boolean armed;
    try {
      armed = streams.arm();
      if (armed) {
        leader.arm();
      }
    } catch (RuntimeException e) {
      armed = false; // what was armed is watched as usual; the service thread is woken now
    }
    sequence.start(() -> {
      leader.watch(sequence.guard(sequence::leaderChanged));
      streams.watch(sequence::guard);
    }, armed, done);
  }

  private Consumer<Outcome> done;
  /**
   * Guarded by this: the starting thread holds the run; the service thread has not heard of it.
   * Set at construction, before the run is published to anything that could cancel it.
   */
  private boolean held;
  /** Cancels that came while the run was held, in order; sent once it is handed over. */
  private final List<Runnable> heldCancels = new ArrayList<>(0);

  @Override
  public long pid() {
    return leader.pid();
  }

  Command command() {
    return command;
  }

  @Override
  public java.io.OutputStream stdin() {
    return streams.stdinPipe();
  }

  @Override
  public java.io.InputStream stdout() {
    return streams.piped(false);
  }

  @Override
  public java.io.InputStream stderr() {
    return streams.piped(true);
  }

  @Override
  public void cancel(int signal, boolean resend) {
    synchronized (this) {
      if (held) {
        // Only the JVM's shutdown, or the holder's own close after its wait failed, can cancel
        // a held run: the holder hands it over at the end of its wait, at most 10 ms away, and
        // sends this then.
        heldCancels.add(() -> sequence.cancel(signal, resend));
        return;
      }
    }
    sequence.post(() -> sequence.cancel(signal, resend));
  }

  /**
   * True only when the exit came during the wait and this is the only run in flight: then the
   * service thread is finishing this run right now, and nothing else. A held run is finished
   * here instead, when its leader exits within the wait and leaves nothing running (then true,
   * and the outcome is delivered); otherwise it is handed to the service thread (then false).
   */
  @Override
  public boolean awaitLeader(int millis) {
    boolean isHeld;
    boolean cancelled;
    synchronized (this) {
      isHeld = held;
      cancelled = !heldCancels.isEmpty();
    }
    if (!isHeld) {
      return leader.awaitExit(millis) && runsInFlight.getAsInt() == 1;
    }
    // The deadline is the service thread's: hand over a millisecond before it, so that poll's
    // own lateness does not add to the stop's.
    long wait = command.deadline().isEmpty() ? millis
        : (sequence.deadlineAt() - System.nanoTime()) / 1_000_000L - 1;
    try {
      if (!cancelled && wait > 0 && endsWithin(System.nanoTime() + Math.min(wait, millis) * 1_000_000L)
          && sequence.finishHere(done)) {
        return true;
      }
    } finally {
      // Handed over unless finished here, even when the wait threw (then it throws on).
      if (!sequence.finished()) {
        handOver();
        synchronized (this) {
          held = false; // only now: a cancel must follow the hand-over into the service thread's queue
          heldCancels.forEach(sequence::post);
          heldCancels.clear();
        }
      }
    }
    return false;
  }

  /** The holder's read buffer: output of a held run is read on its caller's thread. */
  private static final ThreadLocal<MemorySegment> HELD_BUFFER =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(1 << 16));
  /** What the holder reads from one pipe between two looks at the clock. */
  private static final int HELD_BUDGET = 4 << 16;

  /**
   * On the holder's thread: waits until the leader has exited and every output pipe is at its
   * end, reading them into their captures meanwhile; false once {@code untilNanos} passes first.
   */
  private boolean endsWithin(long untilNanos) {
    List<PipeReader> readers = streams.readers();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment polls = arena.allocate(PosixLayout.POLLFD, 1 + readers.size());
      long size = PosixLayout.POLLFD.byteSize();
      boolean exited = false;
      while (true) {
        int n = 0;
        if (!exited) {
          PosixLayout.setPollFd(polls, leader.pidfd(), PosixLibC.POLLIN);
          n++;
        }
        List<PipeReader> open = new ArrayList<>(readers.size());
        for (PipeReader r : readers) {
          if (r.isOpen()) {
            PosixLayout.setPollFd(polls.asSlice(n * size, size), r.fd(), PosixLibC.POLLIN);
            open.add(r);
            n++;
          }
        }
        if (n == 0) {
          return true;
        }
        long millis = (untilNanos - System.nanoTime()) / 1_000_000L;
        if (millis <= 0 || PosixLibC.poll(polls, n, (int) millis) <= 0) {
          return false; // the time is up (or poll failed): the service thread takes over
        }
        int i = 0;
        if (!exited) {
          exited = PosixLayout.pollRevents(polls) != 0;
          i++;
        }
        for (PipeReader r : open) {
          if (PosixLayout.pollRevents(polls.asSlice(i++ * size, size)) != 0
              && untilNanos - System.nanoTime() > 0) {
            r.drain(HELD_BUDGET, HELD_BUFFER.get());
          }
        }
      }
    }
  }
}
