package dev.corral.testing;

import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Output;
import dev.corral.Signal;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A JVM for the parent-death stop test: {@code StopHolder MARK SLEEP CONTAINMENT} starts a run
 * whose stop signal is USR1, with a 5 s grace; its two members append "USR1" to MARK when it
 * arrives.
 * Prints "started" once both traps are set, then waits to be killed.
 */
public final class StopHolder {
  private StopHolder() {}

  public static void main(String[] args) throws Exception {
    String member = "sh -c 'trap \"echo USR1 >> " + args[0] + "; exit 0\" USR1; echo armed; "
        + args[1] + " & wait'";
    CountDownLatch armed = new CountDownLatch(2);
    Command.of("/bin/sh", "-c", member + " &\nsetsid " + member + " &\nwait")
        .containment(Containment.valueOf(args[2])).stopSignal(Signal.USR1).grace(Duration.ofSeconds(5))
        .stdout(Output.lines(line -> armed.countDown())).start();
    armed.await();
    System.out.println("started");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
