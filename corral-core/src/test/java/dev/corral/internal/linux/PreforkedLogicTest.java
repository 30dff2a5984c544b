package dev.corral.internal.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of the launcher's pre-forked slot: what the launcher passes and /proc says. */
class PreforkedLogicTest {

  @Test
  void theLaunchersPropertyIsParsedOrIgnored() {
    assertThat(Preforked.Info.parse("1234:3::/tmp/corral-launch-99"))
        .isEqualTo(new Preforked.Info(1234, 3, java.util.Set.of(), "/tmp/corral-launch-99"));
    assertThat(Preforked.Info.parse("1234:3:3,63:/tmp/a:b"))
        .isEqualTo(new Preforked.Info(1234, 3, java.util.Set.of(3, 63), "/tmp/a:b"));
    assertThat(Preforked.Info.parse(null)).isNull();
    for (String bad : List.of("", "x:3::/tmp/f", "1234:-1::/tmp/f", "1:3::/tmp/f", "1234:3::",
        "1234:3", "1234:3:/tmp/f", "1234:3:2:/tmp/f", "1234:3:x:/tmp/f")) {
      assertThat(Preforked.Info.parse(bad)).as(bad).isNull();
    }
  }

  @Test
  void theCommandMustBeTheTailOfTheLaunchersArguments() {
    List<String> words = List.of("java", "-Xint", "dev.corral.cli.Main", "run", "-k", "1", "5", "sh", "-c", "x");
    assertThat(PreforkedRun.tailOffset(words, 7, List.of("sh", "-c", "x"))).isEqualTo(4);
    assertThat(PreforkedRun.tailOffset(words, 7, List.of("sh", "-c", "y"))).isEqualTo(-1);
    assertThat(PreforkedRun.tailOffset(words, 2, List.of("sh", "-c", "x"))).isEqualTo(-1);
    assertThat(PreforkedRun.tailOffset(words, 11, List.of("x"))).isEqualTo(-1);
  }

  @Test
  void aZombiesWaitStatusIsField52() {
    String tail = " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0";
    // Fields 4..51 are zeros here; field 52 is the wait status: 3 << 8 (exit 3) or 15 (SIGTERM).
    assertThat(dev.corral.internal.ProcStat.waitStatus("42 (sh) Z" + tail + " 768\n")).isEqualTo(768);
    assertThat(dev.corral.internal.ProcStat.waitStatus("42 (a) b (c)) Z" + tail + " 15\n")).isEqualTo(15);
    assertThat(dev.corral.internal.ProcStat.waitStatus("42 (sh) S" + tail + " 0\n")).isEqualTo(-1);
    assertThat(dev.corral.internal.ProcStat.waitStatus("42 (sh) Z 1 2\n")).isEqualTo(-1);
  }

  @Test
  void statusMasksAndNumbers() {
    String status = "Name:\tsh\nPPid:\t1234\nSigBlk:\t0000000000010000\nSigIgn:\t0000000180000006\n";
    assertThat(PreforkedRun.mask(status, "PPid:")).isEqualTo(1234);
    assertThat(PreforkedRun.mask(status, "SigBlk:")).isEqualTo(1L << 16);
    assertThat(PreforkedRun.mask(status, "SigIgn:")).isEqualTo(0x180000006L);
    assertThat(PreforkedRun.mask(status, "SigCgt:")).isEqualTo(-1);
  }
}
