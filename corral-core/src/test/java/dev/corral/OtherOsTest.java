package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.internal.Platform;
import dev.corral.testing.NoLeftovers;
import dev.corral.testing.Trees;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Corral in a JVM that believes it runs on another OS ({@code -Dos.name}), or whose native layer
 * cannot load: it picks the portable tier by itself, never throws while loading, and still ends
 * the whole tree at the deadline. The JDK underneath is this Linux one, so the processes are real.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OtherOsTest {
  private final Trees tree = new Trees();
  private final List<Process> jvms = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    jvms.forEach(Process::destroyForcibly);
    tree.cleanUp();
  }

  @Test
  void macOsPicksThePortableTierAndEndsTheTree() throws Exception {
    List<String> out = runOn("-Dos.name=Mac OS X", "--enable-native-access=ALL-UNNAMED");
    assertThat(out).contains("platform PortablePlatform", "signals BSD", "USR1 is 30",
        "CHLD is SIGCHLD (20)",
        "timedOut true", "containment PORTABLE", "survivors []", "capability cgroup false",
        "capability portable true", "no-backend Corral has no native backend for Mac OS X yet",
        "process-group CONTAINMENT_UNAVAILABLE");
    assertThat(tree.alive()).as("nothing of the tree is left").isEmpty();
  }

  @Test
  void windowsPicksThePortableTierAndEndsTheTree() throws Exception {
    List<String> out = runOn("-Dos.name=Windows 11", "--enable-native-access=ALL-UNNAMED");
    assertThat(out).contains("platform PortablePlatform", "signals Windows",
        "USR1 refused: SIGUSR1 cannot be delivered on Windows 11: Windows has only TERM and KILL",
        "CHLD is SIGCHLD",
        "timedOut true", "containment PORTABLE", "survivors []", "capability portable true",
        "process-group CONTAINMENT_UNAVAILABLE");
    assertThat(tree.alive()).as("nothing of the tree is left").isEmpty();
  }

  @Test
  void linuxWithoutNativeAccessFallsBackToThePortableTier() throws Exception {
    List<String> out = runOn("--illegal-native-access=deny");
    assertThat(out).contains("platform LinuxPlatform", "signals Linux", "CHLD is SIGCHLD (17)",
        "timedOut true",
        "containment PORTABLE", "survivors []", "capability cgroup false", "capability portable true",
        "process-group CONTAINMENT_UNAVAILABLE");
    assertThat(tree.alive()).as("nothing of the tree is left").isEmpty();
  }

  /** Runs {@link Main} in a JVM with {@code flags}; returns its output lines once it exited 0. */
  private List<String> runOn(String... flags) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of("-cp", System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")), Main.class.getName(), tree.sleep));
    Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    jvms.add(jvm);
    String text = new String(jvm.getInputStream().readAllBytes());
    assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(jvm.exitValue()).as(text).isZero();
    // A fallback is logged once, naming its cause; nothing may be thrown, not even in a hook.
    assertThat(text).as("nothing thrown, not even in a shutdown hook")
        .doesNotContain("\tat ", "Exception in", "Error:");
    return text.lines().toList();
  }

  /** In the child JVM: builds commands, runs a tree into its deadline, and reports as text. */
  public static final class Main {
    public static void main(String[] args) {
      try {
        String s = args[0];
        System.out.println("CHLD is " + Signal.CHLD);
        try {
          System.out.println("USR1 is "
              + Command.of("true").stopSignal("USR1").stopSignal().number().getAsInt());
        } catch (IllegalArgumentException e) {
          System.out.println("USR1 refused: " + e.getMessage());
        }
        Command.of("true").stopSignal(Signal.TERM).keepIgnored(java.util.Set.of(Signal.TERM));
        try {
          Command.of("true").containment(Containment.PROCESS_GROUP).run();
          System.out.println("process-group ran");
        } catch (CorralException e) {
          System.out.println("process-group " + e.reason());
        }
        Result r = Command.of("/bin/sh", "-c", s + " & " + s).deadline(Duration.ofMillis(1500)).run();
        Platform p = Platform.get();
        System.out.println("platform " + p.getClass().getSimpleName());
        System.out.println("signals " + p.signals().os());
        System.out.println("timedOut " + r.timedOut());
        System.out.println("containment " + r.teardown().containment());
        System.out.println("survivors " + r.teardown().survivors());
        for (Capability c : Capability.probe()) {
          System.out.println("capability " + c.name() + " " + c.available());
          if (c.name().equals("process-group") && !c.available()) {
            System.out.println("no-backend " + c.detail().substring(0, c.detail().indexOf(':')));
          }
        }
        System.exit(0);
      } catch (Throwable t) {
        t.printStackTrace(System.out);
        System.exit(1);
      }
    }
  }
}
