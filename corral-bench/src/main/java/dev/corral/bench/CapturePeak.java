package dev.corral.bench;

import java.util.List;

/**
 * Peak memory of capturing {@code bytes} of stdout, measured as the high-water mark of a fresh
 * JVM's resident set: {@code CapturePeak PEER BYTES} prints VmHWM in KiB. PEER "none" measures
 * the JVM alone, the baseline to subtract.
 */
public final class CapturePeak {
  private CapturePeak() {}

  public static void main(String[] args) throws Exception {
    String who = args[0];
    long bytes = Long.parseLong(args[1]);
    if (!who.equals("none")) {
      Peers peer = Peers.ALL.stream().filter(p -> p.name().equals(who)).findFirst().orElseThrow();
      peer.run(List.of("head", "-c", Long.toString(bytes), "/dev/zero"), true);
    }
    System.out.println(Harness.statusKb("VmHWM"));
  }
}
