package dev.corral.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a process of any Corral run alive, or a Corral cgroup behind, and
 * ends such processes (by pid, after checking the marker again) so the next test starts clean.
 *
 * <p>A run's processes carry {@code CORRAL_RUN=<id>} in their environment, and the id starts with
 * a prefix of the JVM that started the run. Only this JVM's runs count: another JVM's (a
 * parent-death test's holder, another suite on the machine) are not this test's leftovers.
 */
public final class NoLeftovers implements AfterEachCallback {
  private static final String INHERITED = System.getenv("CORRAL_RUN");

  /** The marker prefix of this JVM's runs, or "" (every run) if it cannot be read. */
  private static String ownPrefix() {
    try {
      Object platform = dev.corral.internal.Platform.get();
      java.lang.reflect.Field f = platform.getClass().getDeclaredField("jvmMarker");
      f.setAccessible(true);
      return (String) f.get(platform);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return "";
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    List<String> left = new ArrayList<>();
    // A run is over only once its tree is verified gone, so nothing should be here now.
    for (ProcessHandle p : leftovers()) {
      left.add(p.pid() + " " + p.info().commandLine().orElse("?"));
      p.destroyForcibly();
    }
    List<String> cgroups = Cgroups.leftoverOf(ProcessHandle.current().pid());
    if (!left.isEmpty() || !cgroups.isEmpty()) {
      throw new AssertionError("left behind by " + context.getDisplayName() + ": processes "
          + left + ", cgroups " + cgroups);
    }
  }

  /** Live processes that carry the marker of one of this JVM's runs. */
  public static List<ProcessHandle> leftovers() {
    String own = ownPrefix();
    List<ProcessHandle> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : dir) {
        String marker = marker(p);
        if (marker != null && !marker.equals(INHERITED) && marker.startsWith(own)) {
          long pid = Long.parseLong(p.getFileName().toString());
          ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> !isZombie(p)).ifPresent(out::add);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static boolean isZombie(Path proc) {
    try {
      String stat = Files.readString(proc.resolve("stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
    } catch (IOException e) {
      return true;
    }
  }

  private static String marker(Path proc) {
    byte[] env;
    try {
      env = Files.readAllBytes(proc.resolve("environ"));
    } catch (IOException e) {
      return null;
    }
    for (String entry : new String(env, StandardCharsets.ISO_8859_1).split("\0")) {
      if (entry.startsWith("CORRAL_RUN=")) {
        return entry.substring("CORRAL_RUN=".length());
      }
    }
    return null;
  }
}
