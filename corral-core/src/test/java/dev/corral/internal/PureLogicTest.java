package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Logic that needs no kernel: runs on any host. */
class PureLogicTest {

  private final Guard guard = new Guard(5000, 4990, 4900);

  @Test
  void guardRefusesEverythingThatIsNotTheRunsOwn() {
    assertThat(guard.refusal(-1)).contains("every process");
    assertThat(guard.refusal(0)).contains("own process group");
    assertThat(guard.refusal(1)).contains("init");
    assertThat(guard.refusal(-1 * 1)).isNotNull();
    assertThat(guard.refusal(5000)).contains("own process");
    assertThat(guard.refusal(-5000)).contains("own process");
    assertThat(guard.refusal(-4990)).contains("own process group");
    assertThat(guard.refusal(4990)).contains("own process group");
    assertThat(guard.refusal(-4900)).contains("own session");
    assertThat(guard.refusal(Integer.MIN_VALUE)).isNotNull();
    assertThat(guard.refusal(1234)).isNull();
    assertThat(guard.refusal(-1234)).isNull();
    assertThatThrownBy(() -> guard.check(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("refusing to signal -1: -1 means every process");
  }

  @Test
  void procStatParsesCommWithSpacesAndParentheses() {
    ProcStat s = ProcStat.parse("4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 150 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10");
    assertThat(s).isEqualTo(new ProcStat(4242, "a (weird) name", 'S', 1, 4242, 4242, 987654));
    assertThat(s.exited()).isFalse();
    assertThat(ProcStat.parse("12 (z) Z 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0").exited()).isTrue();
    assertThat(ProcStat.parse("garbage")).isNull();
    assertThat(ProcStat.parse("12 (cut) S 1 1")).isNull();
  }

  @Test
  void procStatusGivesTheIgnoredSignals() {
    // After `trap "" HUP USR1`, and ignoring RTMIN+6 (40).
    String status = "Name:\tsh\nSigQ:\t0/96362\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
        + "SigBlk:\t0000000000000000\nSigIgn:\t0000008000000201\nSigCgt:\t0000000000010000\nCapInh:\t0\n";
    assertThat(ignored(status)).isEqualTo(0x8000000201L);
    assertThat(ignored(status.replace("0000008000000201", "ffffffffffffffff"))).isEqualTo(-1L);
    assertThat(ignored(status.replace("0000008000000201", "00000080000002x1"))).isEqualTo(-1L);
    assertThat(ignored(status.substring(0, status.indexOf("SigIgn") + 12))).isEqualTo(-1L); // cut short
    assertThat(ignored("Name:\tsh\nSigCgt:\t0000000000010000\n")).isEqualTo(-1L);
    // A kernel with 128 signals prints 32 digits: not a 64-signal mask.
    assertThat(ignored(status.replace("0000008000000201", "00000000000000000000008000000201"))).isEqualTo(-1L);
  }

  @Test
  void procStatGivesTheIgnoredSignalsUpTo31() {
    // After `trap "" HUP USR1`: fields 31 to 34 are the pending, blocked, ignored and caught signals.
    String line = "6227 (a) b) S 6224 6224 8279 0 -1 4194304 97 0 0 0 0 0 0 0 20 0 1 0 6918848 3133440 394"
        + " 18446744073709551615 9479 9479 1407 0 0 0 0 513 1024 0 0 0 17 0 0 0 0 0 0\n";
    assertThat(upTo31(line)).isEqualTo(0x201L);
    assertThat(upTo31("6227 (a) S 6224 6224 8279 0 -1")).isEqualTo(-1L); // cut short
    assertThat(upTo31("garbage without a name")).isEqualTo(-1L);
  }

  private static long upTo31(String line) {
    byte[] bytes = line.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return ProcStat.ignoredSignalsUpTo31(java.lang.foreign.MemorySegment.ofArray(bytes), bytes.length);
  }

  private static long ignored(String status) {
    byte[] bytes = status.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return ProcStat.ignoredSignals(java.lang.foreign.MemorySegment.ofArray(bytes), bytes.length);
  }

  @Test
  void linuxSignalNamesAndNumbers() {
    Signals s = Signals.LINUX;
    assertThat(s.number("TERM")).isEqualTo(15);
    assertThat(s.number("sigkill")).isEqualTo(9);
    assertThat(s.number("9")).isEqualTo(9);
    assertThat(s.number("0")).isEqualTo(0);
    assertThat(s.number("RTMIN+2")).isEqualTo(36);
    assertThat(s.number("RTMAX-1")).isEqualTo(63);
    assertThat(s.number("IOT")).isEqualTo(6);
    assertThat(s.number("BOGUS")).isEqualTo(-1);
    assertThat(s.number("65")).isEqualTo(-1);
    assertThat(s.name(15)).isEqualTo("TERM");
    assertThat(s.name(34)).isEqualTo("RTMIN");
    assertThat(s.name(64)).isEqualTo("RTMAX");
    assertThat(s.name(65)).isNull();
    assertThat(s.name(32)).isNull();
  }

  @Test
  void cgroup2MountIsFoundWhereverItIs() {
    String hybrid = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;
    assertThat(Mounts.cgroup2Mount(hybrid)).hasValue("/sys/fs/cgroup/unified");
    String pure = "29 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
    assertThat(Mounts.cgroup2Mount(pure)).hasValue("/sys/fs/cgroup");
    String escaped = "29 23 0:26 / /mnt/my\\040cgroups rw - cgroup2 none rw\n";
    assertThat(Mounts.cgroup2Mount(escaped)).hasValue("/mnt/my cgroups");
    assertThat(Mounts.cgroup2Mount("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n")).isEmpty();
    assertThat(Mounts.cgroup2Options(hybrid)).hasValue("rw");
    assertThat(Mounts.cgroup2Options(pure)).hasValue("rw,nsdelegate");
  }

  @Test
  void ownCgroupPathComesFromTheUnifiedLine() {
    assertThat(Mounts.cgroup2Path("4:memory:/x\n0::/\n")).hasValue("/");
    assertThat(Mounts.cgroup2Path("0::/user.slice/user-1000.slice/app.scope\n"))
        .hasValue("/user.slice/user-1000.slice/app.scope");
    assertThat(Mounts.cgroup2Path("0::/gone (deleted)\n")).isEmpty();
    assertThat(Mounts.cgroup2Path("4:memory:/x\n")).isEmpty();
  }
}
