package dev.corral.internal.linux;

import dev.corral.Command;
import dev.corral.internal.Child;
import dev.corral.internal.Delivery;
import dev.corral.internal.Members;
import dev.corral.internal.Outcome;
import dev.corral.internal.StopSequence;
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

  LinuxRun(Supervisor supervisor, Command command, long startNanos, Spawner.Spawned spawned,
      Members tree, IntSupplier runsInFlight) {
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
  }

  private StopSequence sequence() {
    return sequence;
  }

  /**
   * Hand the run to the service thread; {@code done} gets the outcome once, there. Where only
   * the leader's exit, output or the deadline can call for the service thread, this thread puts
   * the pidfd and pipes in its epoll set, and the service thread registers their handlers when
   * it next wakes (at their first event at the latest) instead of being woken for it now.
   */
  void supervise(Consumer<Outcome> done) {
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
    sequence.post(() -> sequence.cancel(signal, resend));
  }

  /**
   * True only when the exit came during the wait and this is the only run in flight: then the
   * service thread is finishing this run right now, and nothing else.
   */
  @Override
  public boolean awaitLeader(int millis) {
    return leader.awaitExit(millis) && runsInFlight.getAsInt() == 1;
  }
}
