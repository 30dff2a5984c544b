package dev.corral.internal.portable;

import dev.corral.Command;
import dev.corral.internal.Child;
import dev.corral.internal.Leader;
import dev.corral.internal.Outcome;
import dev.corral.internal.Signals;
import dev.corral.internal.StopSequence;
import java.util.function.Consumer;

/**
 * One run of the portable tier: what the {@link StopSequence} needs, from the JDK alone. The
 * leader is this JVM's {@link Process}, watched by a virtual thread of its own; the tree is what
 * the {@link Census} has seen descend from it ({@link RunTree}); a normal termination stands for
 * the stop signal. After {@link #supervise}, every step runs on the service thread.
 *
 * <p>Threads per run: a virtual thread waits for the leader, one reads each piped output stream,
 * and one feeds stdin bytes; the JDK adds a platform thread of its own ("process reaper") per
 * live child. The JDK offers nothing that would watch many children from one thread.
 */
final class PortableRun implements Child {
  /** How often to repeat SIGKILL (each time after a fresh snapshot) while something is alive. */
  private static final long KILL_RETRY_NANOS = 20_000_000L;

  private final Command command;
  private final Process process;
  private final RunTree tree;
  private final Signals signals;
  private final RunStreams streams;
  private final StopSequence sequence;

  PortableRun(Service service, Command command, Process process, long startNanos, Signals signals) {
    this.command = command;
    this.process = process;
    this.tree = new RunTree(service, process.toHandle());
    this.signals = signals;
    this.streams = new RunStreams(command, process,
        () -> sequence().post(() -> sequence().streamsChanged()),
        failure -> sequence().post(() -> sequence().consumerFailed(failure)));
    this.sequence = new StopSequence(command, startNanos, service, new JdkLeader(), tree, streams,
        signals.numberOf("KILL"), KILL_RETRY_NANOS);
  }

  private StopSequence sequence() {
    return sequence;
  }

  /** Starts the run's threads and hands it to the service; {@code done} gets the outcome there. */
  void supervise(Consumer<Outcome> done) {
    sequence.start(tree::register, false, done);
    streams.start();
    Thread.ofVirtual().name("corral-wait").start(() -> {
      while (true) {
        try {
          process.waitFor();
          sequence.post(sequence::leaderChanged);
          return;
        } catch (InterruptedException e) {
          // nobody but Corral owns this thread: keep waiting
        }
      }
    });
  }

  @Override
  public long pid() {
    return process.pid();
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

  /**
   * @throws IllegalArgumentException for a signal the JDK cannot send (anything but TERM, KILL
   *     and 0); the run goes on untouched
   */
  @Override
  public void cancel(int signal, boolean resend) {
    if (!RunTree.sendable(signal)) {
      throw new IllegalArgumentException("portable containment cannot send "
          + RunTree.refusal(signal, signals) + "; cancel with one of those, or use a native containment");
    }
    sequence.post(() -> sequence.cancel(signal, resend));
  }

  /** The leader as the JDK sees it; the JDK reaps it itself. */
  private final class JdkLeader implements Leader {
    @Override
    public long pid() {
      return process.pid();
    }

    /**
     * The JDK reports a death by signal N as status 128+N on POSIX, so a status above 128 that
     * names a signal reads as that signal. Windows has only exit codes.
     */
    @Override
    public Leader.Exit poll() {
      if (process.isAlive()) {
        return null;
      }
      int status = process.exitValue();
      if (signals != Signals.WINDOWS && status > 128 && signals.name(status - 128) != null) {
        return new Leader.Exit(-1, status - 128);
      }
      return new Leader.Exit(status, 0);
    }

    @Override
    public void release(boolean reap) {}
  }
}
