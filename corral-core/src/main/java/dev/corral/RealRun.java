package dev.corral;

import dev.corral.internal.Child;
import dev.corral.internal.Events;
import dev.corral.internal.Outcome;
import dev.corral.internal.Platform;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** The one {@link Run}: a platform {@link Child} plus the future of its {@link Result}. */
final class RealRun implements Run {
  private static final Executor DEPENDENTS = r -> Thread.ofVirtual().name("corral-onexit").start(r);

  private final Command command;
  private final CompletableFuture<Result> result = new CompletableFuture<>();
  private final Child child;
  /** Set once a wait has thrown the run's failure, so that close() does not throw it again. */
  private volatile boolean failureReported;

  private RealRun(Command command, boolean held) {
    this.command = command;
    Events.Spawn event = Events.ON ? new Events.Spawn() : null;
    if (event != null) {
      event.begin();
    }
    this.child = Platform.get().start(command, held, this::finish);
    if (event != null && event.shouldCommit()) {
      event.program = command.argv().get(0);
      event.containment = command.containment().name();
      event.pid = child.pid();
      event.commit();
    }
  }

  static Run start(Command command) {
    return new RealRun(command, false);
  }

  /**
   * For {@link Command#run()}: a run whose starting thread waits for it at once, and which no one
   * else sees, so a platform may finish a short one on that thread ({@link Platform#start}).
   */
  static Run startHeld(Command command) {
    return new RealRun(command, !Thread.currentThread().isVirtual());
  }

  private void finish(Outcome o) {
    if (o.failure() != null) {
      result.completeExceptionally(o.failure());
      return;
    }
    Signal signal = o.signal() == 0 ? null : Signal.ofOutcome(o.signal());
    result.complete(new Result(command, o.pid(), o.exitCode(), o.signal(), signal,
        o.timedOut(), o.cancelled(), Duration.ofNanos(o.durationNanos()), o.stdout().bytes(),
        o.stdout().truncated(), o.stderr().bytes(), o.stderr().truncated(), o.teardown()));
  }

  @Override
  public long pid() {
    return child.pid();
  }

  @Override
  public Command command() {
    return command;
  }

  @Override
  public java.io.OutputStream stdin() {
    return piped(child.stdin(), "stdin", "Input.pipe()");
  }

  @Override
  public java.io.InputStream stdout() {
    return piped(child.stdout(), "stdout", "Output.pipe()");
  }

  @Override
  public java.io.InputStream stderr() {
    return piped(child.stderr(), "stderr", "Output.pipe()");
  }

  private <T> T piped(T stream, String which, String how) {
    if (stream == null) {
      throw new IllegalStateException(command + ": its " + which + " is not a pipe; ask for one"
          + " with " + which + "(" + how + ")");
    }
    return stream;
  }

  @Override
  public Process asProcess() {
    return new RunProcess(this);
  }

  @Override
  public boolean isAlive() {
    return !result.isDone();
  }

  /** How long a platform thread waits on the command's exit itself before it parks. */
  private static final int LEADER_WAIT_MILLIS = 10;
  /** How long it then spins for the outcome, which the service thread completes meanwhile. */
  private static final long OUTCOME_SPIN_NANOS = 200_000;
  /** A wait for the exit that took longer than this blocked: the exit came during it. */
  private static final long BLOCKED_NANOS = 20_000;

  @Override
  public Result await() {
    if (!result.isDone() && !Thread.currentThread().isVirtual()) {
      // A short command's caller is woken by the kernel at its exit, in parallel with the service
      // thread, instead of after it: on these virtual machines a wake-up costs tens of
      // microseconds. Longer runs park below after the first 10 ms, and so do virtual threads.
      long from = System.nanoTime();
      if (child.awaitLeader(LEADER_WAIT_MILLIS) && System.nanoTime() - from > BLOCKED_NANOS) {
        // It exited while this thread waited, so the service thread is on it right now. Had it
        // exited before, the service thread may be busy with others: then park, not spin. The
        // spin yields, so it never holds off the service thread on a shared CPU.
        long until = System.nanoTime() + OUTCOME_SPIN_NANOS;
        while (!result.isDone() && System.nanoTime() - until < 0) {
          Thread.yield();
        }
      }
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return result.get();
        } catch (InterruptedException e) {
          // The tree must not outlive an abandoned wait: stop it, then keep waiting for the proof.
          interrupted = true;
          child.cancel(command.stopSignal().numberHere(), false);
        } catch (ExecutionException e) {
          throw rethrow(e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public Optional<Result> await(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout < 0: " + timeout);
    }
    try {
      return Optional.of(result.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException e) {
      throw rethrow(e);
    }
  }

  @Override
  public CompletableFuture<Result> onExit() {
    return result.thenApplyAsync(Function.identity(), DEPENDENTS);
  }

  @Override
  public void cancel() {
    if (!result.isDone()) {
      child.cancel(command.stopSignal().numberHere(), false);
    }
  }

  @Override
  public void cancel(Signal signal) {
    int number = signal.numberHere();
    if (!result.isDone()) {
      child.cancel(number, true);
    }
  }

  /**
   * Stops a running tree and waits for the proof. Throws the run's failure only if no wait has
   * thrown it yet: in try-with-resources, the body's {@code await()} already did, and the same
   * exception again would be a self-suppression error.
   */
  @Override
  public void close() {
    cancel();
    try {
      await();
    } catch (RuntimeException | Error e) {
      if (!failureReported) {
        throw e;
      }
    }
  }

  @Override
  public String toString() {
    return "Run[pid " + child.pid() + ", " + command + (isAlive() ? ", running]" : ", over]");
  }

  /** The run's failure as thrown: a consumer's own exception or error, as it threw it. */
  private RuntimeException rethrow(ExecutionException e) {
    failureReported = true;
    return unwrap(e);
  }

  /** A run's failure as its waiter gets it: a runtime exception or error as thrown. */
  static RuntimeException unwrap(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException r) {
      return r;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return new IllegalStateException(cause);
  }
}
