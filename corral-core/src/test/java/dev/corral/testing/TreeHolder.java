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
    if (args.length > 2) {
      // Exit mode: two members that record the stop signal, then a normal JVM exit once both
      // have said their trap is set.
      String mark = args[2];
      String member = "sh -c 'trap \"echo TERM >> " + mark + "; exit 0\" TERM; echo armed; " + s + " & wait'";
      java.util.concurrent.CountDownLatch armed = new java.util.concurrent.CountDownLatch(2);
      Command.of("/bin/sh", "-c", member + " &\n" + member + " &\nwait")
          .containment(containment).stdout(Output.lines(line -> armed.countDown())).start();
      armed.await();
      System.exit(0);
    }
    Run run = Command.of("/bin/sh", "-c", s + " &\nsetsid " + s + " &\n(" + s + " &)\necho started\nexec " + s)
        .containment(containment).stdout(Output.inherit()).start();
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
    run.close();
  }
}
