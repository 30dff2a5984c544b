package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.internal.ProcStat;
import dev.corral.internal.cli.ProcessView;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher's signal mask, quoting and the tree drawing: pure logic on made-up data. */
class PureCliTest {

  @Test
  void sigIgnMaskReadsLikeProc() {
    assertThat(Cli.parseMask("0000000000001000")).containsExactly(13);
    assertThat(Cli.parseMask("0000000000000006")).containsExactly(2, 3);
    assertThat(Cli.parseMask("8000000000000000")).containsExactly(64);
    assertThat(Cli.parseMask("0")).isEmpty();
    assertThat(Cli.parseMask("zz")).isEmpty();
  }

  @Test
  void theLaunchersDescriptorListReadsAsNumbersAboveTwo() {
    assertThat(Cli.parseDescriptors("3,63,62")).containsExactly(3, 63, 62);
    assertThat(Cli.parseDescriptors("")).isEmpty();
    assertThat(Cli.parseDescriptors("3,x")).as("not the launcher's: none").isEmpty();
    assertThat(Cli.parseDescriptors("1,4")).isEmpty();
    assertThat(Cli.parseDescriptors("3,70000")).as("the launcher's list, all of it").containsExactly(3, 70000);
  }

  @Test
  void quotesAsGnuDoesInTheCLocale() {
    assertThat(Quote.of("sleep")).isEqualTo("'sleep'");
    assertThat(Quote.of("it's")).isEqualTo("'it'\\''s'");
    assertThat(Quote.of("a\nb")).isEqualTo("'a\\012b'");
  }

  private static ProcessView p(int pid, int ppid, int pgid, int sid, String cmd) {
    return new ProcessView(new ProcStat(pid, cmd, 'S', ppid, pgid, sid, 1), "/corral/1.1/run-1", cmd);
  }

  @Test
  void treeIsDrawnFromParentLinksAndListsWhatLeftIt() {
    TreeView v = new TreeView(List.of(
        p(1, 0, 1, 1, "init"), p(10, 1, 10, 10, "sh -c x"), p(11, 10, 10, 10, "sleep 1"),
        p(12, 10, 10, 10, "cat"), p(13, 12, 10, 10, "tail"), p(20, 1, 10, 10, "daemon")));
    String text = v.text(10);
    assertThat(text).contains("sh -c x\n").contains("├─ sleep 1\n").contains("└─ cat\n")
        .contains("   └─ tail\n").contains("Outside the tree, in its session or process group:")
        .contains("daemon");
    assertThat(v.descendants(10)).extracting(x -> x.stat().pid()).containsExactly(10, 11, 12, 13);
    assertThat(v.related(10)).extracting(x -> x.stat().pid()).containsExactly(20);
    assertThat(v.json(10)).startsWith("{\"root\":{\"pid\":10,\"ppid\":1,\"pgid\":10,\"sid\":10,\"state\":\"S\"")
        .contains("\"related\":[{\"pid\":20");
  }
}
