package dev.corral;

import dev.corral.internal.Platform;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A command to run: its argv (no shell is implied), working directory, environment, streams,
 * deadline and how its tree is stopped. Immutable: each {@code with}-style method returns a copy.
 *
 * <pre>{@code
 * Result r = Command.of("make", "test").deadline(Duration.ofMinutes(5)).run();
 * }</pre>
 */
public final class Command {

  /** The grace period between the stop signal and SIGKILL when none is set: 2 seconds. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

  /** A grace period with no limit for the leader: see {@link #grace(Duration)}. 10,000 days. */
  public static final Duration UNBOUNDED_GRACE = Duration.ofDays(10_000);

  /** SIGTERM, the default stop signal. */
  public static final int SIGTERM = 15;

  /** What happens to processes the leader leaves behind when it exits before the deadline. */
  public enum Leftovers {
    /** Stop them with the same sequence as a deadline (the default). */
    STOP,
    /** Leave them running; the result lists them. Nothing is then guaranteed about them. */
    LEAVE_RUNNING,
    /** Wait for them to exit on their own, up to the deadline, then stop them. */
    AWAIT
  }

  private final List<String> argv;
  private final Path directory;
  private final boolean inheritEnvironment;
  private final Map<String, String> environmentChanges; // a null value removes the name
  private final Input stdin;
  private final Output stdout;
  private final Output stderr;
  private final Duration deadline;
  private final Duration grace;
  private final int stopSignal;
  private final Containment containment;
  private final Leftovers leftovers;
  private final Set<Integer> keepIgnored;
  private final boolean foreground;

  private Command(
      List<String> argv, Path directory, boolean inheritEnvironment,
      Map<String, String> environmentChanges, Input stdin, Output stdout, Output stderr,
      Duration deadline, Duration grace, int stopSignal, Containment containment,
      Leftovers leftovers, Set<Integer> keepIgnored, boolean foreground) {
    this.argv = argv;
    this.directory = directory;
    this.inheritEnvironment = inheritEnvironment;
    this.environmentChanges = environmentChanges;
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.deadline = deadline;
    this.grace = grace;
    this.stopSignal = stopSignal;
    this.containment = containment;
    this.leftovers = leftovers;
    this.keepIgnored = keepIgnored;
    this.foreground = foreground;
  }

  /** A command from its argv. The first element is the program, looked up on PATH as execvp(3) does. */
  public static Command of(String... argv) {
    return of(List.of(argv));
  }

  public static Command of(List<String> argv) {
    Objects.requireNonNull(argv, "argv");
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("argv is empty: a command needs at least the program");
    }
    if (argv.get(0).isEmpty()) {
      throw new IllegalArgumentException("argv[0] is empty: name the program to run");
    }
    for (int i = 0; i < argv.size(); i++) {
      String arg = Objects.requireNonNull(argv.get(i), "argv[" + i + "]");
      if (arg.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argv[" + i + "] contains NUL: " + printable(arg));
      }
    }
    return new Command(
        List.copyOf(argv), null, true, Map.of(), Input.none(), Output.capture(),
        Output.capture(), null, DEFAULT_GRACE, SIGTERM, Containment.AUTO, Leftovers.STOP, Set.of(), false);
  }

  // ---- with-style setters ----

  /** Run in {@code dir} instead of the JVM's working directory. */
  public Command directory(Path dir) {
    Objects.requireNonNull(dir, "dir");
    return new Command(argv, dir, inheritEnvironment, environmentChanges, stdin, stdout, stderr,
        deadline, grace, stopSignal, containment, leftovers, keepIgnored, foreground);
  }

  /** Set one environment variable for the child, over any inherited value. */
  public Command env(String name, String value) {
    checkEnvName(name);
    Objects.requireNonNull(value, "value");
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("environment value of " + name + " contains NUL");
    }
    return withEnvChange(name, value, inheritEnvironment);
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
    checkEnvName(name);
    return withEnvChange(name, null, inheritEnvironment);
  }

  /** Start from an empty environment instead of the JVM's; variables set afterwards still apply. */
  public Command clearEnv() {
    return new Command(argv, directory, false, Map.of(), stdin, stdout, stderr, deadline, grace,
        stopSignal, containment, leftovers, keepIgnored, foreground);
  }

  public Command stdin(Input input) {
    Objects.requireNonNull(input, "input");
    return new Command(argv, directory, inheritEnvironment, environmentChanges, input, stdout,
        stderr, deadline, grace, stopSignal, containment, leftovers, keepIgnored, foreground);
  }

  public Command stdout(Output output) {
    Objects.requireNonNull(output, "output");
    if (output instanceof Output.ToStdout) {
      throw new IllegalArgumentException("Output.toStdout() is for stderr only");
    }
    return new Command(argv, directory, inheritEnvironment, environmentChanges, stdin, output,
        stderr, deadline, grace, stopSignal, containment, leftovers, keepIgnored, foreground);
  }

  public Command stderr(Output output) {
    Objects.requireNonNull(output, "output");
    return new Command(argv, directory, inheritEnvironment, environmentChanges, stdin, stdout,
        output, deadline, grace, stopSignal, containment, leftovers, keepIgnored, foreground);
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
    return new Command(argv, directory, inheritEnvironment, environmentChanges, stdin, stdout,
        stderr, timeout, grace, stopSignal, containment, leftovers, keepIgnored, foreground);
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
    return new Command(argv, directory, inheritEnvironment, environmentChanges, stdin, stdout,
        stderr, deadline, grace, stopSignal, containment, leftovers, keepIgnored, foreground);
  }

  /**
   * The first signal of the stop sequence, by number (default {@link #SIGTERM}). 0 sends nothing
   * (SIGCONT still goes out), so only SIGKILL after the grace period ends the tree.
   */
  public Command stopSignal(int signal) {
    if (signal != 0) {
      Platform.get().checkSignal(signal);
    }
    return new Command(argv, directory, inheritEnvironment, environmentChanges, stdin, stdout,
        stderr, deadline, grace, signal, containment, leftovers, keepIgnored, foreground);
  }

  /** The first signal of the stop sequence, by name such as {@code "INT"} or {@code "SIGINT"}. */
  public Command stopSignal(String name) {
    return stopSignal(Platform.get().signalNumber(name));
  }

  public Command containment(Containment containment) {
    Objects.requireNonNull(containment, "containment");
    return new Command(argv, directory, inheritEnvironment, environmentChanges, stdin, stdout,
        stderr, deadline, grace, stopSignal, containment, leftovers, keepIgnored, foreground);
  }

  public Command leftovers(Leftovers leftovers) {
    Objects.requireNonNull(leftovers, "leftovers");
    return new Command(argv, directory, inheritEnvironment, environmentChanges, stdin, stdout,
        stderr, deadline, grace, stopSignal, containment, leftovers, keepIgnored, foreground);
  }

  /**
   * Signals that stay ignored in the child (as {@code nohup} keeps HUP ignored). Every other
   * signal starts with its default action and unblocked.
   *
   * <p>Limit: a signal stays ignored only if it is ignored in this JVM when the child starts,
   * since posix_spawn can reset a disposition but not set SIG_IGN. The JVM installs its own
   * handlers for PIPE, XFSZ, QUIT and USR2, so those reach the child with their default action
   * unless the JVM ignores them again (the CLI does, for the signals its caller ignored).
   */
  public Command keepIgnored(Set<Integer> signals) {
    TreeSet<Integer> set = new TreeSet<>();
    for (int s : signals) {
      Platform.get().checkSignal(s);
      set.add(s);
    }
    return new Command(argv, directory, inheritEnvironment, environmentChanges, stdin, stdout,
        stderr, deadline, grace, stopSignal, containment, leftovers,
        Collections.unmodifiableSet(set), foreground);
  }

  /**
   * Keep the caller's session, so the command can read the controlling terminal and get its
   * signals, as GNU {@code timeout --foreground}. The whole tree is still stopped. With {@link
   * Containment#CGROUP} the command also stays in the caller's process group; with {@link
   * Containment#PROCESS_GROUP} it gets a process group of its own inside the caller's session,
   * which a terminal treats as a background job. Default: a new session.
   */
  public Command foreground(boolean foreground) {
    return new Command(argv, directory, inheritEnvironment, environmentChanges, stdin, stdout,
        stderr, deadline, grace, stopSignal, containment, leftovers, keepIgnored, foreground);
  }

  // ---- actions ----

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
    try (Run run = start()) {
      return run.await();
    }
  }

  // ---- accessors ----

  public List<String> argv() {
    return argv;
  }

  public Optional<Path> directory() {
    return Optional.ofNullable(directory);
  }

  /** The child's whole environment as it would be if started now; unmodifiable. */
  public Map<String, String> environment() {
    if (inheritEnvironment && environmentChanges.isEmpty()) {
      return Inherited.ENVIRONMENT;
    }
    Map<String, String> env = inheritEnvironment ? new LinkedHashMap<>(System.getenv()) : new LinkedHashMap<>();
    environmentChanges.forEach((k, v) -> {
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
    return stdin;
  }

  public Output stdout() {
    return stdout;
  }

  public Output stderr() {
    return stderr;
  }

  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  public Duration grace() {
    return grace;
  }

  public int stopSignal() {
    return stopSignal;
  }

  public Containment containment() {
    return containment;
  }

  public Leftovers leftovers() {
    return leftovers;
  }

  public Set<Integer> keepIgnored() {
    return keepIgnored;
  }

  public boolean foreground() {
    return foreground;
  }

  /** True when {@link #grace()} sets no limit for the leader. */
  public boolean graceUnbounded() {
    return grace.compareTo(UNBOUNDED_GRACE) >= 0;
  }

  /** The argv as a shell would show it, for messages. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (String a : argv) {
      if (!sb.isEmpty()) {
        sb.append(' ');
      }
      sb.append(quote(a));
    }
    return sb.toString();
  }

  // ---- helpers ----

  private Command withEnvChange(String name, String value, boolean inherit) {
    Map<String, String> changes = new LinkedHashMap<>(environmentChanges);
    changes.remove(name);
    changes.put(name, value);
    return new Command(argv, directory, inherit, Collections.unmodifiableMap(changes), stdin,
        stdout, stderr, deadline, grace, stopSignal, containment, leftovers, keepIgnored, foreground);
  }

  private static void checkEnvName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "bad environment variable name (empty, or has '=' or NUL): " + printable(name));
    }
  }

  static String quote(String s) {
    if (!s.isEmpty() && s.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,+@%".indexOf(c) >= 0)) {
      return s;
    }
    return "'" + printable(s).replace("'", "'\\''") + "'";
  }

  private static String printable(String s) {
    return s.replace("\0", "\\0");
  }
}
