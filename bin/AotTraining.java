import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs one training run of {@code ./corral} for bin/aot-cache: {@code -Dcorral.train=true} makes
 * it run a command in the launcher's slot that times out (the pre-forked path, then the regular
 * supervision it hands over to), then one spawned command.
 */
public class AotTraining {
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    ProcessBuilder pb = new ProcessBuilder(root.resolve("corral").toString(), "run", "0.3", "sleep", "5")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("CORRAL_JVM_OPTIONS", "-XX:AOTCacheOutput=" + args[1] + " -Dcorral.train=true");
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    System.exit(Files.exists(Path.of(args[1])) ? 0 : 1);
  }
}
