package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.CorralException;
import dev.corral.CorralException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PATH search as execvp(3) does it, on files made for the test. */
class ExecutablesTest {

  @Test
  void searchesPathInOrderAndSkipsWhatCannotRun(@TempDir Path dir) throws Exception {
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));
    Path c = Files.createDirectory(dir.resolve("c"));
    Files.writeString(a.resolve("tool"), "not executable");
    Files.createDirectory(b.resolve("tool"));
    Path good = Files.writeString(c.resolve("tool"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(good, PosixFilePermissions.fromString("rwxr-xr-x"));
    String path = a + ":" + b + ":" + c;
    assertThat(Executables.resolve("tool", path, dir, "tool")).isEqualTo(good);
  }

  @Test
  void tellsNotFoundFromNotExecutable(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("data"), "x");
    assertThatThrownBy(() -> Executables.resolve("nope", dir.toString(), dir, "nope"))
        .isInstanceOf(CorralException.class)
        .satisfies(e -> assertThat(((CorralException) e).reason()).isEqualTo(Reason.NOT_FOUND));
    assertThatThrownBy(() -> Executables.resolve("data", dir.toString(), dir, "data"))
        .satisfies(e -> assertThat(((CorralException) e).reason()).isEqualTo(Reason.NOT_EXECUTABLE));
    assertThatThrownBy(() -> Executables.resolve("./", null, dir, "./"))
        .satisfies(e -> assertThat(((CorralException) e).reason()).isEqualTo(Reason.IS_DIRECTORY));
  }

  @Test
  void anEmptyPathEntryMeansTheWorkingDirectory(@TempDir Path dir) throws Exception {
    Path tool = Files.writeString(dir.resolve("here"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
    assertThat(Executables.resolve("here", ":/nonexistent", dir, "here")).isEqualTo(tool);
  }
}
