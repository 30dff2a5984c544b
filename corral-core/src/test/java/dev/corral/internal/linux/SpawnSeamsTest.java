package dev.corral.internal.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.Command;
import dev.corral.Input;
import dev.corral.Output;
import dev.corral.internal.posix.Errors;
import dev.corral.internal.posix.PosixLibC;
import dev.corral.internal.posix.PosixSpawn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared spawn keeps its promise whatever the OS's part does: nothing is left running. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpawnSeamsTest {

  @Test
  void aStartThatThrowsLeavesTheChildKilledAndReaped() {
    Command command = Command.of("sleep", "30")
        .stdin(Input.none()).stdout(Output.discard()).stderr(Output.discard());
    int[] spawned = {-1};
    PosixSpawn.Os<Void> refusing = new LinuxSpawnOs<>() {
      @Override
      public Void started(int pid, PosixSpawn.Streams streams, Command c) {
        spawned[0] = pid;
        throw new IllegalStateException("refused");
      }
    };

    assertThatThrownBy(() -> PosixSpawn.spawn(command, command.environment(), null, null,
        new Stdio(command, -1, System.nanoTime()), refusing)).hasMessage("refused");

    assertThat(spawned[0]).isPositive();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(PosixLibC.LAYOUT.SIGINFO);
      assertThat(PosixLibC.waitid(PosixLibC.LAYOUT.P_PID, spawned[0], info,
          PosixLibC.WEXITED | LibC.WNOHANG)).as("no longer a child of ours")
          .isEqualTo(-Errors.ERRNO.ECHILD);
    }
  }
}
