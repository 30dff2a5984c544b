package dev.corral.testing;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Output;
import dev.corral.Run;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM for the parent-death load test: {@code ManyTreesHolder CONTAINMENT RUNS SLEEP} starts RUNS
 * runs of a three-process tree (a shell, a background sleep and a foreground one), prints
 * "started", and waits to be killed.
 */
public final class ManyTreesHolder {
  private ManyTreesHolder() {}

  public static void main(String[] args) throws Exception {
    String s = args[2];
    Command tree = Command.of("/bin/sh", "-c", s + " & " + s + "; wait")
        .containment(Containment.valueOf(args[0]))
        .stdout(Output.discard()).stderr(Output.discard());
    List<Run> held = new ArrayList<>();
    for (int i = 0, n = Integer.parseInt(args[1]); i < n; i++) {
      held.add(tree.start());
    }
    System.out.println("started");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
    held.forEach(Run::close);
  }
}
