package dev.corral;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a run did: how the leader ended, whether the deadline or the caller stopped it, what it
 * wrote, and how its tree was torn down.
 */
public final class Result {
  private final Command command;
  private final long pid;
  private final int exitCode; // -1 when signalled
  private final int signal; // this OS's number, 0 when exited
  private final Signal signalType; // null when exited
  private final boolean timedOut;
  private final boolean cancelled;
  private final Duration duration;
  private final byte[] stdout;
  private final boolean stdoutTruncated;
  private final byte[] stderr;
  private final boolean stderrTruncated;
  private final Teardown teardown;

  Result(Command command, long pid, int exitCode, int signal, Signal signalType, boolean timedOut,
      boolean cancelled, Duration duration, byte[] stdout, boolean stdoutTruncated, byte[] stderr,
      boolean stderrTruncated, Teardown teardown) {
    this.command = command;
    this.pid = pid;
    this.exitCode = exitCode;
    this.signal = signal;
    this.signalType = signalType;
    this.timedOut = timedOut;
    this.cancelled = cancelled;
    this.duration = duration;
    this.stdout = stdout;
    this.stdoutTruncated = stdoutTruncated;
    this.stderr = stderr;
    this.stderrTruncated = stderrTruncated;
    this.teardown = teardown;
  }

  public Command command() {
    return command;
  }

  public long pid() {
    return pid;
  }

  /** The leader's exit code, if it exited rather than died of a signal. */
  public OptionalInt exitCode() {
    return signal == 0 ? OptionalInt.of(exitCode) : OptionalInt.empty();
  }

  /** The signal that ended the leader, if one did; its name and this OS's number. */
  public Optional<Signal> signal() {
    return Optional.ofNullable(signalType);
  }

  /** The status a shell would show: the exit code, or 128 plus the signal number. */
  public int status() {
    return signal == 0 ? exitCode : 128 + signal;
  }

  /** True when the leader exited with 0 on its own, before any deadline or cancel. */
  public boolean success() {
    return signal == 0 && exitCode == 0 && !timedOut && !cancelled;
  }

  /** True when the deadline passed before the leader exited. */
  public boolean timedOut() {
    return timedOut;
  }

  /** True when the caller cancelled or closed the run before the leader exited. */
  public boolean cancelled() {
    return cancelled;
  }

  /** Wall time from the start to the verified end of the tree. */
  public Duration duration() {
    return duration;
  }

  /** Captured stdout; empty unless stdout was {@link Output#capture()}d. */
  public byte[] stdout() {
    return stdout.clone();
  }

  public String stdoutText() {
    return stdoutText(StandardCharsets.UTF_8);
  }

  public String stdoutText(Charset charset) {
    return new String(stdout, charset);
  }

  public boolean stdoutTruncated() {
    return stdoutTruncated;
  }

  public byte[] stderr() {
    return stderr.clone();
  }

  public String stderrText() {
    return stderrText(StandardCharsets.UTF_8);
  }

  public String stderrText(Charset charset) {
    return new String(stderr, charset);
  }

  public boolean stderrTruncated() {
    return stderrTruncated;
  }

  public Teardown teardown() {
    return teardown;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Result[").append(command).append(", pid ").append(pid);
    if (signal != 0) {
      sb.append(", killed by ").append(signalType);
    } else {
      sb.append(", exit ").append(exitCode);
    }
    if (timedOut) {
      sb.append(", TIMED OUT");
    }
    if (cancelled) {
      sb.append(", cancelled");
    }
    sb.append(", ").append(duration.toNanos() / 1_000_000.0).append(" ms, ")
        .append(teardown.containment()).append(", stopped for ").append(teardown.cause());
    if (!teardown.survivors().isEmpty()) {
      sb.append(", SURVIVORS: ").append(teardown.survivors());
    }
    return sb.append(']').toString();
  }
}
