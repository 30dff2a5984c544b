package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Enabled the documented way, native access never shows the restricted-method warning. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NativeAccessTest {

  @Test
  void noWarningWithTheFlagAndAWarningWithout() throws Exception {
    assertThat(stderrOf("--enable-native-access=ALL-UNNAMED")).doesNotContain("WARNING");
    // The control: the same run without the flag does warn, so the check above can fail.
    assertThat(stderrOf()).contains("WARNING: A restricted method");
  }

  private static String stderrOf(String... flags) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of("-cp", System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")), ParentDeathTest.Main.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(err).isZero();
    return err;
  }
}
