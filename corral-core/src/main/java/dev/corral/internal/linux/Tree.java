package dev.corral.internal.linux;

import dev.corral.internal.Members;
import dev.corral.internal.ProcStat;
import java.util.List;

/**
 * A run's process tree as one Linux containment layer holds it. Used only on the service thread,
 * but for {@link Members#isEmptyFromAnyThread} and {@link #close} when a held run ends on its
 * caller's thread.
 *
 * <p>The leader is not a member here: its run tracks it through its pidfd, and keeps it unreaped
 * until the tree is verified empty, so that its pid, group id and session id cannot be reused.
 */
interface Tree extends Members {

  /** The live members other than the leader, as a snapshot. */
  List<ProcStat> members();

  @Override
  default List<String> describe() {
    return ProcStat.describe(members());
  }
}
