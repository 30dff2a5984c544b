package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Teardown;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The rules of a run against a fake clock, a fake tree and fake pipes: pure logic, so it runs on
 * any host and in microseconds. Each test drives time by hand and reads what the sequence did.
 */
class StopSequenceTest {
  private static final int TERM = 15;
  private static final int KILL = 9;
  private static final long MS = 1_000_000L;
  private static final long LEADER = 100;

  private final Clock clock = new Clock();
  private final FakeLeader leader = new FakeLeader();
  private final FakeTree tree = new FakeTree(clock);
  private final FakeStreams streams = new FakeStreams();
  private final List<Outcome> outcomes = new ArrayList<>();
  private StopSequence sequence;

  private void start(Command command) {
    sequence = new StopSequence(command, 0, clock, leader, tree, streams, KILL, 10 * MS);
    sequence.start(() -> {}, outcomes::add);
    tree.leaderDied = () -> sequence.post(sequence::leaderChanged);
    clock.runQueued();
  }

  /** The leader exits now, and its watch fires. */
  private void leaderExits(int code) {
    leader.exit = new StopSequence.Exit(code, 0);
    sequence.post(sequence::leaderChanged);
    clock.runQueued();
  }

  private Outcome outcome() {
    assertThat(outcomes).hasSize(1);
    return outcomes.get(0);
  }

  @Test
  void aLeaderThatExitsWithNothingLeftEndsTheRunAtOnce() {
    start(Command.of("x").deadline(Duration.ofSeconds(1)));
    clock.advance(5 * MS);
    leaderExits(3);

    Outcome o = outcome();
    assertThat(o.exitCode()).isEqualTo(3);
    assertThat(o.timedOut()).isFalse();
    assertThat(o.teardown().cause()).isEqualTo(Teardown.Cause.NONE);
    assertThat(tree.signals).isEmpty();
    assertThat(leader.released).containsExactly(true);
    assertThat(tree.closed).isEqualTo(1);
    assertThat(clock.timers).allMatch(t -> t.cancelled); // the deadline timer too
  }

  @Test
  void aLeaderWhoseExitIsStillQueuedBeatsTheDeadline() {
    start(Command.of("x").deadline(Duration.ofMillis(100)));
    leader.exit = new StopSequence.Exit(0, 0); // exited, but the watch has not fired yet
    clock.advance(100 * MS);

    Outcome o = outcome();
    assertThat(o.timedOut()).isFalse();
    assertThat(o.exitCode()).isZero();
    assertThat(tree.signals).isEmpty();
  }

  @Test
  void theDeadlineSendsTheStopSignalThenKillsAfterExactlyTheGrace() {
    tree.members.put(201L, false); // ignores TERM
    start(Command.of("x").deadline(Duration.ofMillis(100)).grace(Duration.ofMillis(50)));
    clock.advance(100 * MS);
    assertThat(tree.signals).containsExactly(TERM);
    assertThat(outcomes).isEmpty();

    clock.advance(49 * MS);
    assertThat(tree.kills).isZero();
    clock.advance(1 * MS);
    assertThat(tree.kills).isEqualTo(1);
    assertThat(tree.killedAt).containsExactly(150 * MS);
    leaderExits(-1); // killed: the pidfd fires

    Outcome o = outcome();
    assertThat(o.timedOut()).isTrue();
    assertThat(o.teardown().cause()).isEqualTo(Teardown.Cause.DEADLINE);
    assertThat(o.teardown().neededKill()).containsExactlyInAnyOrder(LEADER, 201L);
    assertThat(o.teardown().signalled()).isEqualTo(2);
  }

  @Test
  void aTreeThatEndsOnTheStopSignalNeedsNoKill() {
    tree.members.put(201L, true);
    tree.leaderDiesOnStop = leader;
    start(Command.of("x").deadline(Duration.ofMillis(100)));
    clock.advance(100 * MS);
    clock.runQueued();

    Outcome o = outcome();
    assertThat(tree.kills).isZero();
    assertThat(o.teardown().endedOnStop()).containsExactlyInAnyOrder(LEADER, 201L);
    assertThat(o.teardown().neededKill()).isEmpty();
    assertThat(o.durationNanos()).isEqualTo(100 * MS);
  }

  @Test
  void anUnboundedGraceKillsNothingWhileTheLeaderRunsThenGivesItsLeftoversTheDefaultGrace() {
    tree.members.put(201L, false);
    start(Command.of("x").deadline(Duration.ofMillis(100)).grace(Command.UNBOUNDED_GRACE));
    clock.advance(100 * MS);
    clock.advance(Duration.ofHours(1).toNanos());
    assertThat(tree.kills).isZero();

    long exitAt = clock.now;
    leaderExits(0);
    assertThat(outcomes).isEmpty();
    clock.advance(Command.DEFAULT_GRACE.toNanos());
    assertThat(tree.killedAt).containsExactly(exitAt + Command.DEFAULT_GRACE.toNanos());
    clock.runQueued();
    assertThat(outcome().teardown().neededKill()).containsExactly(201L);
  }

  @Test
  void aKillThatDoesNotEmptyTheTreeIsRepeatedThenTheSurvivorsAreReported() {
    tree.members.put(201L, false);
    tree.unkillable = true;
    start(Command.of("x").deadline(Duration.ofMillis(10)).grace(Duration.ZERO));
    leader.exit = new StopSequence.Exit(-1, KILL);
    clock.advance(10 * MS);
    clock.advance(StopSequence.KILL_GIVE_UP_NANOS + 20 * MS);

    Outcome o = outcome();
    assertThat(tree.kills).isBetween(500, 503); // every 10 ms for 5 s
    assertThat(o.teardown().survivors()).containsExactly("201 (fake)");
    assertThat(tree.closed).isEqualTo(1);
  }

  @Test
  void aCancelAfterTheEndDoesNothingAndTheEndComesOnce() {
    start(Command.of("x"));
    leaderExits(0);
    sequence.post(() -> sequence.cancel(TERM, true));
    sequence.post(() -> sequence.cancel(KILL, true));
    leaderExits(0);
    clock.runQueued();

    assertThat(outcomes).hasSize(1);
    assertThat(tree.signals).isEmpty();
    assertThat(tree.kills).isZero();
    assertThat(tree.closed).isEqualTo(1);
    assertThat(leader.released).containsExactly(true);
  }

  @Test
  void aSecondCancelResendsOnlyWhenAskedAndKillSkipsTheRestOfTheGrace() {
    tree.members.put(201L, false);
    start(Command.of("x").grace(Duration.ofSeconds(10)));
    sequence.post(() -> sequence.cancel(TERM, false));
    sequence.post(() -> sequence.cancel(TERM, false));
    clock.runQueued();
    assertThat(tree.signals).containsExactly(TERM);
    sequence.post(() -> sequence.cancel(2, true));
    clock.runQueued();
    assertThat(tree.signals).containsExactly(TERM, 2);
    clock.advance(5 * MS);
    sequence.post(() -> sequence.cancel(KILL, true));
    clock.runQueued();
    assertThat(tree.killedAt).containsExactly(5 * MS);
    leaderExits(-1);

    Outcome o = outcome();
    assertThat(o.cancelled()).isTrue();
    assertThat(o.teardown().cause()).isEqualTo(Teardown.Cause.CANCEL);
  }

  @Test
  void leftoversAreStoppedLeftRunningOrAwaitedAsAsked() {
    tree.members.put(201L, true);
    start(Command.of("x"));
    leaderExits(0);
    assertThat(tree.signals).containsExactly(TERM);
    assertThat(outcome().teardown().cause()).isEqualTo(Teardown.Cause.LEFTOVERS);

    reset();
    tree.members.put(202L, false);
    start(Command.of("x").leftovers(Command.Leftovers.LEAVE_RUNNING));
    leaderExits(0);
    assertThat(outcome().teardown().leftRunning()).containsExactly(202L);
    assertThat(tree.signals).isEmpty();

    reset();
    tree.members.put(203L, false);
    start(Command.of("x").leftovers(Command.Leftovers.AWAIT));
    leaderExits(0);
    assertThat(outcomes).isEmpty();
    tree.members.clear();
    tree.tellListener();
    assertThat(outcome().teardown().cause()).isEqualTo(Teardown.Cause.NONE);
    assertThat(tree.signals).isEmpty();
  }

  @Test
  void pipesHeldOutsideTheTreeAreClosedAfterTheDrainBound() {
    streams.open = true;
    start(Command.of("x"));
    leaderExits(0);
    assertThat(streams.drained).isTrue();
    clock.advance(StopSequence.DRAIN_NANOS - 1);
    assertThat(outcomes).isEmpty();
    clock.advance(1);
    assertThat(outcome().durationNanos()).isEqualTo(StopSequence.DRAIN_NANOS);
  }

  @Test
  void aBusyConsumerIsWaitedForUntilTheDeadlinePlusTheDrainBound() {
    streams.consumersDone = false;
    start(Command.of("x").deadline(Duration.ofSeconds(1)));
    clock.advance(100 * MS);
    leaderExits(0);
    clock.advance(1_000 * MS + StopSequence.DRAIN_NANOS - 100 * MS - 1);
    assertThat(outcomes).isEmpty();
    clock.advance(1);
    assertThat(streams.abandoned).isTrue();
    assertThat(outcome().timedOut()).isFalse();
  }

  @Test
  void aThrowingConsumerFailsItsRunWithItsOwnExceptionAfterTheStop() {
    tree.members.put(201L, true);
    tree.leaderDiesOnStop = leader;
    start(Command.of("x"));
    IllegalStateException thrown = new IllegalStateException("consumer");
    sequence.post(() -> sequence.consumerFailed(thrown));
    clock.runQueued();

    Outcome o = outcome();
    assertThat(o.failure()).isSameAs(thrown);
    assertThat(o.teardown().cause()).isEqualTo(Teardown.Cause.CONSUMER_FAILED);
  }

  @Test
  void aStepThatThrowsKillsTheTreeAndReportsTheFailureOnce() {
    tree.members.put(201L, false);
    tree.stopThrows = true;
    start(Command.of("x").deadline(Duration.ofMillis(10)));
    clock.advance(10 * MS);
    clock.runQueued();

    Outcome o = outcome();
    assertThat(o.failure()).hasMessage("refused");
    assertThat(tree.kills).isEqualTo(1);
    assertThat(o.teardown().survivors()).singleElement().asString().contains("supervision failed");
    assertThat(leader.released).containsExactly(false);
  }

  private void reset() {
    outcomes.clear();
    tree.members.clear();
    tree.signals.clear();
    leader.exit = null;
  }

  /** A service thread: tasks queue, timers fire when the test moves time. */
  static final class Clock implements StopSequence.Scheduler {
    long now;
    final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    final PriorityQueue<FakeTimer> due = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    final List<FakeTimer> timers = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void execute(Runnable step) {
      queue.add(step);
    }

    @Override
    public StopSequence.Timer at(long atNanos, Runnable step) {
      FakeTimer t = new FakeTimer(atNanos, step);
      due.add(t);
      timers.add(t);
      return t;
    }

    void runQueued() {
      Runnable r;
      while ((r = queue.poll()) != null) {
        r.run();
      }
    }

    void advance(long nanos) {
      long until = now + nanos;
      runQueued();
      while (!due.isEmpty() && due.peek().at <= until) {
        FakeTimer t = due.poll();
        if (!t.cancelled) {
          now = Math.max(now, t.at);
          t.step.run();
          runQueued();
        }
      }
      now = until;
    }
  }

  static final class FakeTimer implements StopSequence.Timer {
    final long at;
    final Runnable step;
    boolean cancelled;

    FakeTimer(long at, Runnable step) {
      this.at = at;
      this.step = step;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  static final class FakeLeader implements StopSequence.Leader {
    StopSequence.Exit exit;
    final List<Boolean> released = new ArrayList<>();

    @Override
    public long pid() {
      return LEADER;
    }

    @Override
    public StopSequence.Exit poll() {
      return exit;
    }

    @Override
    public void release(boolean reap) {
      released.add(reap);
    }
  }

  /** Members by pid, each true when it ends on the stop signal. */
  static final class FakeTree implements StopSequence.Tree {
    final Map<Long, Boolean> members = new LinkedHashMap<>();
    final List<Integer> signals = new ArrayList<>();
    final List<Long> killedAt = new ArrayList<>();
    int kills;
    int closed;
    boolean unkillable;
    boolean stopThrows;
    FakeLeader leaderDiesOnStop;
    Runnable leaderDied = () -> {};
    private BooleanSupplier listener;
    private final Clock clock;

    FakeTree(Clock clock) {
      this.clock = clock;
    }

    @Override
    public Containment containment() {
      return Containment.PORTABLE;
    }

    @Override
    public boolean isEmpty() {
      return members.isEmpty();
    }

    @Override
    public void stop(int signal, Consumer<List<Long>> then) {
      if (stopThrows) {
        throw new IllegalStateException("refused");
      }
      signals.add(signal);
      List<Long> hit = new ArrayList<>(members.keySet());
      members.values().removeIf(dies -> dies);
      if (leaderDiesOnStop != null) {
        leaderDiesOnStop.exit = new StopSequence.Exit(-1, signal);
        leaderDied.run();
      }
      then.accept(hit);
      tellListener();
    }

    @Override
    public List<Long> kill() {
      kills++;
      killedAt.add(clock.now);
      List<Long> hit = new ArrayList<>(members.keySet());
      if (!unkillable) {
        members.clear();
      }
      return hit;
    }

    @Override
    public void onMaybeEmpty(BooleanSupplier listener) {
      this.listener = listener;
      tellListener();
    }

    void tellListener() {
      BooleanSupplier l = listener;
      if (l != null && l.getAsBoolean()) {
        listener = null;
      }
    }

    @Override
    public List<Long> release() {
      List<Long> left = new ArrayList<>(members.keySet());
      members.clear();
      return left;
    }

    @Override
    public List<String> describe() {
      return members.keySet().stream().map(p -> p + " (fake)").toList();
    }

    @Override
    public void close() {
      closed++;
    }

  }

  static final class FakeStreams implements StopSequence.Streams {
    boolean open;
    boolean drained;
    boolean consumersDone = true;
    boolean abandoned;

    @Override
    public void drain() {
      drained = true;
    }

    @Override
    public boolean readersOpen() {
      return open;
    }

    @Override
    public boolean onlyHeldUpByConsumers() {
      return false;
    }

    @Override
    public void closeReaders() {
      open = false;
    }

    @Override
    public boolean consumersDone() {
      return consumersDone;
    }

    @Override
    public void abandonConsumers() {
      abandoned = true;
      consumersDone = true;
    }

    @Override
    public Throwable consumerFailure() {
      return null;
    }

    @Override
    public Sink.Captured stdout() {
      return Sink.Captured.NONE;
    }

    @Override
    public Sink.Captured stderr() {
      return Sink.Captured.NONE;
    }

    @Override
    public List<Runnable> releaseSteps() {
      return List.of();
    }
  }

}
