package dev.corral.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Corral's JDK Flight Recorder events: a spawn, a stop (from the stop signal to the verified end of
 * the tree) and a run's teardown, with their durations and counts. Recorded only when a recording
 * enables them ({@code jfr configure} or {@code -XX:StartFlightRecording}); otherwise each costs a
 * check of a static flag.
 *
 * <p>{@code -Dcorral.jfr=false} keeps JFR's classes from loading at all: the CLI sets it, since
 * loading them costs a one-shot process more than 100 ms.
 */
public final class Events {
  private Events() {}

  /** Whether events are made; the event classes load only when they are. */
  public static final boolean ON = !"false".equals(System.getProperty("corral.jfr"));

  @Name("dev.corral.Spawn")
  @Label("Corral Spawn")
  @Category("Corral")
  @Description("A command started inside its containment")
  @StackTrace(false)
  public static final class Spawn extends Event {
    @Label("Program")
    public String program;

    @Label("Containment Asked")
    public String containment;

    @Label("Pid")
    public long pid;
  }

  @Name("dev.corral.Stop")
  @Label("Corral Stop")
  @Category("Corral")
  @Description("From the stop sequence's first signal to the verified end of the tree")
  @StackTrace(false)
  public static final class Stop extends Event {
    @Label("Cause")
    public String cause;

    @Label("Signal")
    public int signal;

    @Label("Pid")
    public long pid;

    @Label("Needed KILL")
    public int neededKill;
  }

  @Name("dev.corral.Teardown")
  @Label("Corral Run")
  @Category("Corral")
  @Description("A whole run, from its start to its result, with how its tree was torn down")
  @StackTrace(false)
  public static final class Teardown extends Event {
    @Label("Pid")
    public long pid;

    @Label("Containment")
    public String containment;

    @Label("Cause")
    public String cause;

    @Label("Signalled")
    public int signalled;

    @Label("Needed KILL")
    public int neededKill;

    @Label("Left running")
    public int leftRunning;

    @Label("Survivors")
    public int survivors;

    @Label("Timed out")
    public boolean timedOut;
  }

  /** A stop begins: its event, or null when no recording wants it. */
  static Stop stopBegins(dev.corral.Teardown.Cause cause, int signal, long pid) {
    if (!ON) {
      return null;
    }
    Stop e = new Stop();
    if (!e.isEnabled()) {
      return null;
    }
    e.begin();
    e.cause = cause.name();
    e.signal = signal;
    e.pid = pid;
    return e;
  }

  /** The tree of a stop is verified gone. */
  static void stopEnds(Stop e, int neededKill) {
    if (e != null) {
      e.neededKill = neededKill;
      e.commit();
    }
  }

  /** A run begins: its event, begun, or null when events are off. */
  static Teardown runBegins() {
    if (!ON) {
      return null;
    }
    Teardown e = new Teardown();
    e.begin();
    return e;
  }

  /** A run is over; {@code e} began when it started. */
  static void runEnds(Teardown e, Outcome o) {
    if (e != null && e.shouldCommit()) {
      dev.corral.Teardown t = o.teardown();
      e.pid = o.pid();
      e.containment = t.containment().name();
      e.cause = t.cause().name();
      e.signalled = t.signalled();
      e.neededKill = t.neededKill().size();
      e.leftRunning = t.leftRunning().size();
      e.survivors = t.survivors().size();
      e.timedOut = o.timedOut();
      e.commit();
    }
  }
}
