package dev.corral.internal.linux;

import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two processes Corral's launcher ({@code ./corral}) forks before it execs the JVM, so that a
 * one-shot CLI run needs neither a spawn nor any native call on its way to the command:
 * <ul>
 *   <li>the <em>slot</em>: a shell, now a child of this JVM, blocked reading a FIFO. Told "K
 *       MARKER DEFAULT IGNORE BLOCK", it drops the first K of the launcher's arguments and execs what
 *       is left through {@code setsid env}. Told "x", or at end of file, it exits.
 *   <li>the <em>watchdog</em>: {@code watchdog.sh}, blocked reading another FIFO; see {@link
 *       Watchdog}.
 * </ul>
 * The launcher names them in {@code -Dcorral.preforked=SLOT_PID:ARG_COUNT:FDS:FIFO_PREFIX} (FDS:
 * the caller's descriptors above 2, which the slot holds on their numbers, comma-separated; the
 * FIFOs are FIFO_PREFIX.go and FIFO_PREFIX.wd). The JVM holds both FIFOs open from the launcher,
 * so either process reads end of file when the JVM ends, however it ends.
 */
final class Preforked {
  private Preforked() {}

  /** What the launcher passed. */
  record Info(int slot, int argCount, java.util.Set<Integer> fds, String fifos) {
    /** Parses the property, or returns null when it is absent or malformed. */
    static Info parse(String property) {
      if (property == null) {
        return null;
      }
      String[] parts = property.split(":", 4);
      if (parts.length != 4 || parts[3].isEmpty()) {
        return null;
      }
      try {
        int slot = Integer.parseInt(parts[0]);
        int count = Integer.parseInt(parts[1]);
        java.util.Set<Integer> fds = new java.util.TreeSet<>();
        for (String fd : parts[2].split(",")) {
          if (!fd.isEmpty()) {
            int n = Integer.parseInt(fd);
            if (n < 3) {
              return null;
            }
            fds.add(n);
          }
        }
        return slot > 1 && count >= 0 ? new Info(slot, count, java.util.Set.copyOf(fds), parts[3]) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  /** The caller's descriptors above 2 that the slot holds on their numbers; empty without a slot. */
  static java.util.Set<Integer> callerDescriptors() {
    return INFO == null ? java.util.Set.of() : INFO.fds();
  }

  private static final Info INFO = Info.parse(System.getProperty("corral.preforked"));
  private static boolean slotTaken;
  private static boolean watchdogTaken;

  /** The slot's pid, taken or not; 0 without one. */
  static int slotPid() {
    return INFO == null ? 0 : INFO.slot();
  }

  static synchronized boolean slotAvailable() {
    return INFO != null && !slotTaken;
  }

  /** The launcher's slot, once: its pid and the FIFO that tells it what to do; else null. */
  static synchronized Slot takeSlot() {
    if (INFO == null || slotTaken) {
      return null;
    }
    slotTaken = true;
    OutputStream go = open(INFO.fifos() + ".go");
    return go == null ? null : new Slot(INFO.slot(), INFO.argCount(), go);
  }

  /** The pipe to the launcher's watchdog, once; else null. */
  static synchronized OutputStream watchdog() {
    if (INFO == null || watchdogTaken) {
      return null;
    }
    watchdogTaken = true;
    return open(INFO.fifos() + ".wd");
  }

  /** At exit: removes the FIFOs' names if nothing took them (the processes read end of file). */
  static void release() {
    if (INFO != null) {
      for (String suffix : new String[] {".go", ".wd"}) {
        try {
          Files.deleteIfExists(Path.of(INFO.fifos() + suffix));
        } catch (IOException e) {
          // Only a name in the temporary directory.
        }
      }
    }
  }

  /**
   * Opens a FIFO for writing and removes its name: the launcher, and so this JVM, holds it open
   * already, so the open never blocks.
   */
  private static OutputStream open(String fifo) {
    Path path = Path.of(fifo);
    try {
      return new FileOutputStream(path.toFile());
    } catch (FileNotFoundException e) {
      return null;
    } finally {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        // Only a name in the temporary directory; the slot removes it too at end of file.
      }
    }
  }

  /** The slot: a process already forked, waiting for its command line. */
  record Slot(int pid, int argCount, OutputStream go) {
    /** Tells the slot to exit without running anything. */
    void dismiss() {
      tell("x\n");
    }

    void tell(String line) {
      try (go) {
        go.write(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (IOException e) {
        // The slot is gone; it ran nothing.
      }
    }
  }
}
