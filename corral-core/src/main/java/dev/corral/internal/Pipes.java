package dev.corral.internal;

import java.util.List;

/** The run's pipes and their consumers. */
public interface Pipes {
  /** The tree is gone: closes stdin and reads what the pipes hold now. */
  void drain();

  boolean readersOpen();

  /** Whether each open pipe is paused on a busy consumer, so nothing comes until it catches up. */
  boolean onlyHeldUpByConsumers();

  /** The drain bound passed: the streams end here, whatever the pipes still hold. */
  void closeReaders();

  /** Whether every consumer has seen its stream's end, failed, or been abandoned. */
  boolean consumersDone();

  /** Consumers are out of time: what they have not seen is dropped, and counts as truncated. */
  void abandonConsumers();

  /** The first exception a consumer threw, or null. */
  Throwable consumerFailure();

  Sink.Captured stdout();

  Sink.Captured stderr();

  /** After a failure: each step that gives back a descriptor or ends a delivery, run alone. */
  List<Runnable> releaseSteps();
}
