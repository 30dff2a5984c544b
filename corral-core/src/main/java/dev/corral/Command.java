package dev.corral;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A command to run: its argv (no shell is implied), working directory, environment, streams,
 * deadline and how its tree is stopped. Immutable: each {@code with}-style method returns a copy.
 *
 * <pre>{@code
 * Result r = Command.of("make", "test").deadline(Duration.ofMinutes(5)).run();
 * }</pre>
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #start()} blocks only its caller: it opens the streams there (a FIFO waits for its
 *       other end, within the deadline and the caller's interrupt; a hung network file system
 *       cannot be interrupted), then spawns. The deadline counts from the call.
 *   <li>One service thread per JVM watches every run's exit, pipes and timers. It never runs
 *       user code and never blocks on a file; the stop work of deadlines, grace periods and
 *       verification comes before reading pipes.
 *   <li>Consumers run on {@link #consumerExecutor} (by default a virtual thread of Corral's own),
 *       never on the service thread: see {@link Output}.
 *   <li>An interrupt of a thread waiting in {@link Run#await()} cancels the run; the wait then
 *       returns the cancelled result once the tree is verified gone, with the interrupt flag
 *       kept. {@link Run#await(Duration)} returns empty on an interrupt and leaves the run alone.
 *   <li>{@link Containment#PORTABLE} has no native calls to watch many runs from one thread: one
 *       service thread serves its timers and snapshots, and each run has virtual threads that
 *       wait and read, plus the JDK's own reaper thread.
 * </ul>
 */
public final class Command {

  /** The grace period between the stop signal and SIGKILL when none is set: 2 seconds. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

  /** A grace period with no limit for the leader: see {@link #grace(Duration)}. 10,000 days. */
  public static final Duration UNBOUNDED_GRACE = Duration.ofDays(10_000);

  /** Runs each consumer task on a new virtual thread: see {@link #consumerExecutor}. */
  public static final Executor DEFAULT_CONSUMERS =
      task -> Thread.ofVirtual().name("corral-consumer").start(task);


  /** What happens to processes the leader leaves behind when it exits before the deadline. */
  public enum Leftovers {
    /** Stop them with the same sequence as a deadline (the default). */
    STOP,
    /** Leave them running; the result lists them. Nothing is then guaranteed about them. */
    LEAVE_RUNNING,
    /** Wait for them to exit on their own, up to the deadline, then stop them. */
    AWAIT
  }

  private final Spec spec;

  private Command(Spec spec) {
    this.spec = spec;
  }

  /** A copy of this command with {@code change} applied. */
  private Command with(java.util.function.Consumer<Spec> change) {
    Spec e = spec.copy();
    change.accept(e);
    return new Command(e);
  }

  /** A command from its argv. The first element is the program, looked up on PATH as execvp(3) does. */
  public static Command of(String... argv) {
    Objects.requireNonNull(argv, "argv");
    for (int i = 0; i < argv.length; i++) {
      Objects.requireNonNull(argv[i], "argv[" + i + "] is null");
    }
    return of(List.of(argv));
  }

  /**
   * A command with everything an existing builder says: its command, directory, environment and
   * each redirect ({@code PIPE} becomes {@link Input#pipe()} or {@link Output#pipe()}, {@code
   * redirectErrorStream} {@link #mergeStderr()}). So {@code Command.from(pb).start().asProcess()}
   * stands in for {@code pb.start()}. A redirect that cannot be honoured is an {@link
   * IllegalArgumentException}.
   */
  public static Command from(ProcessBuilder pb) {
    Objects.requireNonNull(pb, "pb");
    return FromProcessBuilder.of(pb);
  }

  public static Command of(List<String> argv) {
    Spec e = new Spec();
    e.argv = Spec.checkedArgv(argv);
    e.inheritEnvironment = true;
    e.environmentChanges = Map.of();
    e.stdin = Input.none();
    e.stdout = Output.capture();
    e.stderr = Output.capture();
    e.grace = DEFAULT_GRACE;
    e.stopSignal = Signal.TERM;
    e.containment = Containment.AUTO;
    e.leftovers = Leftovers.STOP;
    e.keepIgnored = Set.of();
    e.keepBlocked = Set.of();
    e.consumers = DEFAULT_CONSUMERS;
    e.passed = Collections.emptySortedMap();
    return new Command(e);
  }

  // ---- with-style setters ----

  /** Run in {@code dir} instead of the JVM's working directory. */
  public Command directory(Path dir) {
    Objects.requireNonNull(dir, "dir");
    return with(e -> e.directory = dir);
  }

  /** Set one environment variable for the child, over any inherited value. */
  public Command env(String name, String value) {
    Spec.checkEnvName(name);
    Objects.requireNonNull(value, "value");
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("environment value of " + name + " contains NUL");
    }
    return withEnvChange(name, value, spec.inheritEnvironment);
  }

  /** Set several environment variables. */
  public Command env(Map<String, String> variables) {
    Command c = this;
    for (Map.Entry<String, String> e : variables.entrySet()) {
      c = c.env(e.getKey(), e.getValue());
    }
    return c;
  }

  /** Remove one variable from the child's environment. */
  public Command removeEnv(String name) {
    Spec.checkEnvName(name);
    return withEnvChange(name, null, spec.inheritEnvironment);
  }

  /** Start from an empty environment instead of the JVM's; variables set afterwards still apply. */
  public Command clearEnv() {
    return with(e -> {
      e.inheritEnvironment = false;
      e.environmentChanges = Map.of();
    });
  }

  public Command stdin(Input input) {
    Objects.requireNonNull(input, "input");
    return with(e -> e.stdin = input);
  }

  public Command stdout(Output output) {
    Objects.requireNonNull(output, "output");
    if (output instanceof Output.ToStdout) {
      throw new IllegalArgumentException("Output.toStdout() is for stderr only");
    }
    return with(e -> e.stdout = output);
  }

  public Command stderr(Output output) {
    Objects.requireNonNull(output, "output");
    return with(e -> e.stderr = output);
  }

  /** Send stderr wherever stdout goes: {@code stderr(Output.toStdout())}. */
  public Command mergeStderr() {
    return stderr(Output.toStdout());
  }

  /**
   * End the whole tree once {@code timeout} has passed since the start. Measured on the monotonic
   * clock; {@link Duration#ZERO} or less is refused (use no deadline instead).
   */
  public Command deadline(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("deadline must be positive: " + timeout);
    }
    return with(e -> e.deadline = timeout);
  }

  /**
   * How long the stop signal may take before SIGKILL; zero kills at once. Default {@link
   * #DEFAULT_GRACE}.
   *
   * <p>{@link #UNBOUNDED_GRACE} (or anything longer) sets no limit for the leader, as GNU {@code
   * timeout} without {@code -k}: SIGKILL comes only once the leader has exited, {@link
   * #DEFAULT_GRACE} later, for whatever it left running.
   */
  public Command grace(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative: " + grace);
    }
    return with(e -> e.grace = grace);
  }

  /**
   * The first signal of the stop sequence (default {@link Signal#TERM}). {@link Signal#NONE} sends
   * nothing (SIGCONT still goes out), so only SIGKILL after the grace period ends the tree.
   *
   * <p>{@link Containment#PORTABLE} can send only TERM and KILL (or NONE): a run with another stop
   * signal fails to start there with {@link CorralException.Reason#CONTAINMENT_UNAVAILABLE}.
   *
   * @throws IllegalArgumentException when this OS has no such signal
   */
  public Command stopSignal(Signal signal) {
    Objects.requireNonNull(signal, "signal");
    signal.numberHere();
    return with(e -> e.stopSignal = signal);
  }

  /** The first signal of the stop sequence, by name such as {@code "INT"} or {@code "SIGINT"}. */
  public Command stopSignal(String name) {
    return stopSignal(Signal.of(name));
  }

  public Command containment(Containment containment) {
    Objects.requireNonNull(containment, "containment");
    return with(e -> e.containment = containment);
  }

  public Command leftovers(Leftovers leftovers) {
    Objects.requireNonNull(leftovers, "leftovers");
    return with(e -> e.leftovers = leftovers);
  }

  /**
   * Signals that stay ignored in the child (as {@code nohup} keeps HUP ignored). Every other
   * signal starts with its default action and unblocked.
   *
   * <p>Limit: a signal stays ignored only if it is ignored in this JVM when the child starts,
   * since posix_spawn can reset a disposition but not set SIG_IGN. The JVM installs its own
   * handlers for PIPE, XFSZ, QUIT and USR2, so those reach the child with their default action
   * unless the JVM ignores them again (the CLI does, for the signals its caller ignored). With
   * {@link Containment#PORTABLE} the same holds, as far as the JDK's own spawn keeps SIG_IGN.
   * Race: with kernel placement (glibc 2.39+), which real-time signals this JVM ignores is read
   * at most every 100 ms, so one that other code ignores (JNI, {@code sun.misc.Signal}) may reach
   * a child spawned less than that later still ignored; signals 1 to 31 are read at every spawn.
   */
  public Command keepIgnored(Set<Signal> signals) {
    Set<Signal> set = Spec.signalSet("keepIgnored", signals, "ignored");
    return with(e -> e.keepIgnored = set);
  }

  /**
   * Signals that start blocked in the child, as a program's blocked signals reach what it execs
   * (GNU {@code timeout} leaves its caller's blocked, but CHLD and ALRM). Every other signal starts
   * unblocked, the default. KILL and STOP cannot be blocked. {@link Containment#PORTABLE}
   * (ProcessBuilder) cannot set a mask and refuses a command that blocks any.
   */
  public Command keepBlocked(Set<Signal> signals) {
    Set<Signal> set = Spec.signalSet("keepBlocked", signals, "blocked");
    for (Signal s : set) {
      if (s.equals(Signal.KILL) || s.equals(Signal.STOP)) {
        throw new IllegalArgumentException("keepBlocked: " + s + " cannot be blocked");
      }
    }
    return with(e -> e.keepBlocked = set);
  }


  /**
   * Keep the caller's session, so the command can read the controlling terminal and get its
   * signals, as GNU {@code timeout --foreground}. The whole tree is still stopped. With {@link
   * Containment#CGROUP} the command also stays in the caller's process group; with {@link
   * Containment#PROCESS_GROUP} it gets a process group of its own inside the caller's session,
   * which a terminal treats as a background job. Default: a new session. {@link
   * Containment#PORTABLE} always keeps the caller's session and process group, whatever this says.
   */
  public Command foreground(boolean foreground) {
    return with(e -> e.foreground = foreground);
  }

  /**
   * Where {@link Output#lines} and {@link Output#chunks} consumers run. Default {@link
   * #DEFAULT_CONSUMERS}: a virtual thread of Corral's own while a stream has data for its
   * consumer. Each stream's consumer is called by one task at a time, in order, whatever the
   * executor; stdout's and stderr's consumers may run at the same time. An executor that runs a
   * task inline, on the calling thread ({@code Runnable::run}), would run the consumer on
   * Corral's service thread: the run then fails with an {@link IllegalArgumentException}.
   */
  public Command consumerExecutor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return with(e -> e.consumers = executor);
  }

  // ---- actions ----

  /**
   * Passes descriptor {@code fd} of this process to the command under the same number. See
   * {@link #passDescriptor(int, int)}.
   */
  public Command passDescriptor(int fd) {
    return passDescriptor(fd, fd);
  }

  /**
   * Passes descriptor {@code fd} of this process (a jobserver pipe, a listening socket, a lock
   * file) to the command as its descriptor {@code as}; every other descriptor above 2 is closed
   * in the command, as always. The command gets its own copy, without close-on-exec, made while it
   * starts: closing {@code fd} here afterwards changes nothing there.
   *
   * <p>{@code fd} must be open when the command starts, or {@link #start()} fails with {@link
   * CorralException.Reason#BAD_REDIRECT} and starts nothing. {@code as} must be 3 to 65535 (0 to 2
   * are the streams': see {@link #stdin}) and name one descriptor only. Containment is unchanged:
   * whatever holds the copy in the tree is ended with it, and once the tree is gone only this
   * process's descriptor remains. {@link Containment#PORTABLE} (ProcessBuilder) cannot pass
   * descriptors and refuses such a command.
   */
  public Command passDescriptor(int fd, int as) {
    java.util.SortedMap<Integer, Integer> passed = Spec.withPassed(spec.passed, fd, as);
    return with(e -> e.passed = passed);
  }

  /**
   * Start the command. Returns once the child runs inside its containment.
   *
   * @throws CorralException when it cannot start; nothing is left behind then
   */
  public Run start() {
    return RealRun.start(this);
  }

  /** Start and wait for the result, including the end of the whole tree. */
  public Result run() {
    try (Run run = RealRun.startHeld(this)) {
      return run.await();
    }
  }

  // ---- accessors ----

  public List<String> argv() {
    return spec.argv;
  }

  public Optional<Path> directory() {
    return Optional.ofNullable(spec.directory);
  }

  /** The child's whole environment as it would be if started now; unmodifiable. */
  public Map<String, String> environment() {
    if (spec.inheritEnvironment && spec.environmentChanges.isEmpty()) {
      return Inherited.ENVIRONMENT;
    }
    Map<String, String> env = spec.inheritEnvironment ? new LinkedHashMap<>(System.getenv()) : new LinkedHashMap<>();
    spec.environmentChanges.forEach((k, v) -> {
      if (v == null) {
        env.remove(k);
      } else {
        env.put(k, v);
      }
    });
    return java.util.Collections.unmodifiableMap(env);
  }

  /** A JVM's environment never changes: one copy serves every command that inherits it as is. */
  private static final class Inherited {
    static final Map<String, String> ENVIRONMENT =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(System.getenv()));
  }

  public Input stdin() {
    return spec.stdin;
  }

  public Output stdout() {
    return spec.stdout;
  }

  public Output stderr() {
    return spec.stderr;
  }

  public Optional<Duration> deadline() {
    return Optional.ofNullable(spec.deadline);
  }

  public Duration grace() {
    return spec.grace;
  }

  public Signal stopSignal() {
    return spec.stopSignal;
  }

  public Containment containment() {
    return spec.containment;
  }

  public Leftovers leftovers() {
    return spec.leftovers;
  }

  public Set<Signal> keepIgnored() {
    return spec.keepIgnored;
  }

  public Set<Signal> keepBlocked() {
    return spec.keepBlocked;
  }

  /** The descriptors passed to the command, by the command's number: its number to this process's. */
  public java.util.SortedMap<Integer, Integer> passedDescriptors() {
    return spec.passed;
  }

  public boolean foreground() {
    return spec.foreground;
  }

  public Executor consumerExecutor() {
    return spec.consumers;
  }

  /** True when {@link #grace()} sets no limit for the leader. */
  public boolean graceUnbounded() {
    return spec.grace.compareTo(UNBOUNDED_GRACE) >= 0;
  }

  /**
   * The argv as a shell would show it, for messages. A long one is cut after the arguments that
   * fit, with the number of arguments and their total size, so that messages stay readable.
   */
  @Override
  public String toString() {
    return Shown.argv(spec.argv);
  }

  // ---- helpers ----

  private Command withEnvChange(String name, String value, boolean inherit) {
    Map<String, String> changes = new LinkedHashMap<>(spec.environmentChanges);
    changes.remove(name);
    changes.put(name, value);
    return with(e -> {
      e.inheritEnvironment = inherit;
      e.environmentChanges = Collections.unmodifiableMap(changes);
    });
  }

}
