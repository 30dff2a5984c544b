package dev.corral.internal;

import dev.corral.Teardown;

/**
 * What the platform reports when a run is over.
 *
 * @param pid the leader's pid
 * @param exitCode the leader's exit code, or -1 when a signal ended it
 * @param signal the signal that ended the leader, or 0
 * @param failure set when supervision itself failed or a consumer threw; the tree was still
 *     stopped
 */
public record Outcome(
    long pid,
    int exitCode,
    int signal,
    boolean timedOut,
    boolean cancelled,
    long durationNanos,
    Sink.Captured stdout,
    Sink.Captured stderr,
    Teardown teardown,
    Throwable failure) {}
