package dev.corral.testing;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Output;
import dev.corral.Run;

/**
 * A JVM for parent-death tests: {@code TreeHolder CONTAINMENT SLEEP} starts a run whose tree uses
 * setsid, a background job and a double fork, prints "started", and waits to be killed.
 */
public final class TreeHolder {
  private TreeHolder() {}

  public static void main(String[] args) throws Exception {
    Containment containment = Containment.valueOf(args[0]);
    String s = args[1];
    Run run = Command.of("/bin/sh", "-c", s + " &\nsetsid " + s + " &\n(" + s + " &)\necho started\nexec " + s)
        .containment(containment).stdout(Output.inherit()).start();
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
    run.close();
  }
}
