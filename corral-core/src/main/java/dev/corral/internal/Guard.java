package dev.corral.internal;

/**
 * Refuses signal targets that can never belong to a run: everything ({@code -1}), the caller's own
 * group ({@code 0}), init, and Corral's own process, process group and session, whether named as a
 * pid or as a group. Pure logic, so it is tested on any host.
 */
public record Guard(int selfPid, int selfPgid, int selfSid) {

  /** Throws {@link IllegalArgumentException} when {@code target}, as kill(2) reads it, is forbidden. */
  public void check(int target) {
    String why = refusal(target);
    if (why != null) {
      throw new IllegalArgumentException("refusing to signal " + target + ": " + why);
    }
  }

  /** Why {@code target} is refused, or null when it may be signalled. */
  public String refusal(int target) {
    if (target == 0) {
      return "0 means Corral's own process group";
    }
    if (target == -1) {
      return "-1 means every process";
    }
    int id = Math.abs(target);
    String what = target < 0 ? "process group " : "pid ";
    if (id == 1) {
      return what + "1 is init";
    }
    if (target == Integer.MIN_VALUE) {
      return "not a process id";
    }
    if (id == selfPid) {
      return what + id + " is Corral's own process";
    }
    if (id == selfPgid) {
      return what + id + " is Corral's own process group";
    }
    if (id == selfSid) {
      return what + id + " is Corral's own session";
    }
    return null;
  }
}
