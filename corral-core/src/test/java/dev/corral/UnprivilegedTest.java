package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.engine.discovery.DiscoverySelectors;

/**
 * CI runs as root, where cgroups always work. This runs the whole process-group contract suite
 * again in a JVM that is not root (uid 65534 through setpriv), where Corral must fall back to the
 * process-group layer on its own.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class UnprivilegedTest {

  @Test
  void processGroupSuitePassesAsAnUnprivilegedUser() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to drop privileges");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
    // Test jars live under root's home, which the other user cannot read: lend copies.
    Path lent = Files.createTempDirectory("corral-unprivileged-");
    StringBuilder classpath = new StringBuilder();
    for (String entry : System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")).split(java.io.File.pathSeparator)) {
      Path p = Path.of(entry);
      Path copy = lent.resolve(classpath.length() + "-" + p.getFileName());
      if (Files.isRegularFile(p)) {
        p = Files.copy(p, copy);
      } else if (Files.isDirectory(p)) {
        // The checkout itself may sit under a directory the other user cannot enter.
        copyTree(p, copy);
        p = copy;
      }
      classpath.append(classpath.isEmpty() ? "" : java.io.File.pathSeparator).append(p);
    }
    for (Path p : new Path[] {lent}) {
      p.toFile().setReadable(true, false);
      p.toFile().setExecutable(true, false);
    }
    try {
      runAsNobody(classpath.toString());
    } finally {
      try (var files = Files.walk(lent)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
          target.toFile().setExecutable(true, false);
        } else {
          Files.copy(f, target);
        }
        target.toFile().setReadable(true, false);
      }
    }
  }

  private static void runAsNobody(String classpath) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
        "--clear-groups", "--", ProcessHandle.current().info().command().orElseThrow(),
        "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=/tmp", "-Duser.home=/tmp",
        "-cp", classpath, Suite.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(new java.io.File("/tmp")).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
    System.out.println(out);
    assertThat(out).contains("containment chosen: PROCESS_GROUP");
    assertThat(p.exitValue()).as(out).isZero();
  }

  /** Runs in the unprivileged JVM. */
  public static final class Suite {
    public static void main(String[] args) throws IOException {
      System.out.println("user " + System.getProperty("user.name") + ", containment chosen: " + Command.of("true").run().teardown().containment());
      LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
          .selectors(DiscoverySelectors.selectClass(GroupContainmentTest.class),
              DiscoverySelectors.selectClass(RunTest.class),
              DiscoverySelectors.selectMethod(BadInputTest.class, "outOfProcesses"))
          .build();
      SummaryGeneratingListener listener = new SummaryGeneratingListener();
      LauncherFactory.create().execute(request, listener);
      TestExecutionSummary summary = listener.getSummary();
      summary.printTo(new java.io.PrintWriter(System.out));
      summary.printFailuresTo(new java.io.PrintWriter(System.out), 20);
      System.out.flush();
      System.exit(summary.getTotalFailureCount() == 0 && summary.getTestsSucceededCount() > 10 ? 0 : 1);
    }
  }
}
