package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.Command;
import dev.corral.Teardown;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  private final FakeRun.Clock clock = new FakeRun.Clock();
  private final FakeRun.FakeLeader leader = new FakeRun.FakeLeader(LEADER);
  private final FakeRun.FakeTree tree = new FakeRun.FakeTree(clock);
  private final FakeRun.FakeStreams streams = new FakeRun.FakeStreams();
  private final List<Outcome> outcomes = new ArrayList<>();
  private StopSequence sequence;

  private void start(Command command) {
    sequence = new StopSequence(command, 0, clock, leader, tree, streams, KILL, 10 * MS);
    sequence.start(() -> {}, false, outcomes::add);
    tree.leaderDied = () -> sequence.post(sequence::leaderChanged);
    clock.runQueued();
  }

  /** The leader exits now, and its watch fires. */
  private void leaderExits(int code) {
    leader.exit = new Leader.Exit(code, 0);
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
    leader.exit = new Leader.Exit(0, 0); // exited, but the watch has not fired yet
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
    leader.exit = new Leader.Exit(-1, KILL);
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
}
