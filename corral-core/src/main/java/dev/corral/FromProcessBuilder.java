package dev.corral;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.util.List;
import java.util.Map;

/** {@link Command#from(ProcessBuilder)}: each setting of a builder as a command's. */
final class FromProcessBuilder {
  private FromProcessBuilder() {}

  static Command of(ProcessBuilder pb) {
    List<String> argv = pb.command();
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("the ProcessBuilder has no command");
    }
    Command c = Command.of(argv);
    File dir = pb.directory();
    if (dir != null) {
      c = c.directory(dir.toPath());
    }
    Map<String, String> env = pb.environment();
    if (!env.equals(System.getenv())) {
      c = c.clearEnv().env(env);
    }
    c = c.stdin(input(pb.redirectInput())).stdout(output(pb.redirectOutput(), "output"));
    if (pb.redirectErrorStream()) {
      return c.mergeStderr();
    }
    return c.stderr(output(pb.redirectError(), "error"));
  }

  private static Input input(Redirect r) {
    return switch (r.type()) {
      case PIPE -> Input.pipe();
      case INHERIT -> Input.inherit();
      case READ -> Input.file(r.file().toPath());
      case WRITE, APPEND -> throw new IllegalArgumentException("the ProcessBuilder's input redirect "
          + r + " writes: an input can only be read");
    };
  }

  private static Output output(Redirect r, String which) {
    return switch (r.type()) {
      case PIPE -> Output.pipe();
      case INHERIT -> Output.inherit();
      case WRITE -> r.file().equals(Redirect.DISCARD.file()) ? Output.discard()
          : Output.file(r.file().toPath());
      case APPEND -> Output.append(r.file().toPath());
      case READ -> throw new IllegalArgumentException("the ProcessBuilder's " + which + " redirect "
          + r + " reads: an " + which + " can only be written");
    };
  }
}
