package dev.corral.junit;

import dev.corral.ProcessWatch;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a process running: anything it started, directly or through any
 * library ({@code ProcessBuilder}, {@code Runtime.exec}, a shell that daemonized, a double fork
 * with setsid), that is still alive when the test ends. The failure names each one (pid, command
 * line, how it escaped, how long it lived) and the tracking method with what it cannot see; then
 * the leaked processes are ended (TERM, {@link #GRACE}, then SIGKILL), so one bad test does not
 * poison the next.
 *
 * <p>Use it with {@code @ExtendWith(NoLeakedProcesses.class)} on a class, or for every test
 * through JUnit's extension auto-detection ({@code junit.jupiter.extensions.autodetection.enabled
 * = true}; this jar registers it). To report without failing or ending anything, register {@link
 * #reportOnly()} with {@code @RegisterExtension}, or set the configuration parameter {@code
 * corral.junit.leaks=report}.
 *
 * <p>Tracking is {@link ProcessWatch}'s: by cgroup membership where Corral can create cgroups
 * (Linux, as root or in a delegated cgroup), else by snapshots of the JVM's descendants. Tests run
 * in parallel share the JVM, so a leak may be reported by each test that was running when it was
 * started; run tests that start processes in the same thread for exact blame.
 */
public final class NoLeakedProcesses implements BeforeEachCallback, AfterEachCallback {
  /** How long leaked processes get between TERM and SIGKILL. */
  public static final Duration GRACE = Duration.ofSeconds(2);

  /** How long processes found alive at the end of a test get to finish ending before they count. */
  public static final Duration SETTLE = Duration.ofMillis(200);

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(NoLeakedProcesses.class);
  private static final System.Logger LOG = System.getLogger(NoLeakedProcesses.class.getName());

  private final boolean reportOnly;

  /** Fails the test and ends what leaked (unless {@code corral.junit.leaks=report} is set). */
  public NoLeakedProcesses() {
    this(false);
  }

  private NoLeakedProcesses(boolean reportOnly) {
    this.reportOnly = reportOnly;
  }

  /** Only reports leaks, as a warning through {@link System.Logger}: the test passes. */
  public static NoLeakedProcesses reportOnly() {
    return new NoLeakedProcesses(true);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put(ProcessWatch.class, ProcessWatch.start());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ProcessWatch watch = context.getStore(NS).remove(ProcessWatch.class, ProcessWatch.class);
    if (watch == null) {
      return;
    }
    try (watch) {
      List<ProcessWatch.Leak> leaked = settled(watch);
      if (leaked.isEmpty()) {
        return;
      }
      boolean report = reportOnly || "report".equals(
          context.getConfigurationParameter("corral.junit.leaks").orElse(""));
      String text = describe(context, watch, leaked, report);
      if (report) {
        LOG.log(System.Logger.Level.WARNING, text);
        return;
      }
      watch.endLeaked(GRACE);
      throw new AssertionError(text);
    }
  }

  /**
   * What is still alive once processes that are ending anyway have had {@link #SETTLE} to go: a
   * child destroyed just before the test returned, a helper that exits on its parent's end of file.
   * Without leaks this costs one look.
   */
  private static List<ProcessWatch.Leak> settled(ProcessWatch watch) {
    List<ProcessWatch.Leak> leaked = watch.leaked();
    long until = System.nanoTime() + SETTLE.toNanos();
    while (!leaked.isEmpty() && System.nanoTime() - until < 0) {
      try {
        Thread.sleep(10); // no event announces the end of a process that is not a child
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      leaked = watch.leaked();
    }
    return leaked;
  }

  private static String describe(ExtensionContext context, ProcessWatch watch,
      List<ProcessWatch.Leak> leaked, boolean report) {
    StringBuilder sb = new StringBuilder(context.getDisplayName()).append(" leaked ")
        .append(leaked.size()).append(leaked.size() == 1 ? " process" : " processes")
        .append(report ? " (left running: report only)" : " (ended)").append(':');
    for (ProcessWatch.Leak l : leaked) {
      sb.append("\n  ").append(l);
    }
    return sb.append("\nfound by ").append(watch.method()).append(" tracking, which cannot see: ")
        .append(watch.blindSpot()).toString();
  }
}
