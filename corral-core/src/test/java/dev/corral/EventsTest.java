package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.testing.NoLeftovers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Corral's JFR events, as a recording sees a run that times out. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventsTest {

  @Test
  void aRunThatTimesOutRecordsItsSpawnStopAndTeardown(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("run.jfr");
    Result r;
    Command.of("true").run(); // JFR registers an event class when it loads: before the recording
    try (Recording recording = new Recording()) {
      recording.enable("dev.corral.Spawn");
      recording.enable("dev.corral.Stop");
      recording.enable("dev.corral.Teardown");
      recording.start();
      r = Command.of("sh", "-c", "trap '' TERM; sleep 60 & sleep 60").deadline(Duration.ofMillis(200))
          .grace(Duration.ofMillis(100)).run();
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    RecordedEvent spawn = only(events, "dev.corral.Spawn");
    RecordedEvent stop = only(events, "dev.corral.Stop");
    RecordedEvent run = only(events, "dev.corral.Teardown");

    assertThat(spawn.getString("program")).isEqualTo("sh");
    assertThat(spawn.getLong("pid")).isEqualTo(r.pid());
    assertThat(stop.getString("cause")).isEqualTo("DEADLINE");
    assertThat(stop.getInt("signal")).isEqualTo(15);
    assertThat(stop.getInt("neededKill")).isEqualTo(r.teardown().neededKill().size()).isPositive();
    assertThat(stop.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    assertThat(run.getString("containment")).isEqualTo(r.teardown().containment().name());
    assertThat(run.getInt("signalled")).isEqualTo(r.teardown().signalled());
    assertThat(run.getBoolean("timedOut")).isTrue();
    // From the spawn (the deadline counts from start(), a little earlier) to the result.
    assertThat(run.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(250));
  }

  private static RecordedEvent only(List<RecordedEvent> events, String name) {
    List<RecordedEvent> of = events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    assertThat(of).as(name).hasSize(1);
    return of.get(0);
  }
}
