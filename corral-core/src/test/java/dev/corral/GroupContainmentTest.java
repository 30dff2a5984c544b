package dev.corral;

/** The escape routes in process-group mode, which works without cgroups. */
class GroupContainmentTest extends ContainmentContract {

  @Override
  Containment containment() {
    return Containment.PROCESS_GROUP;
  }

  /**
   * The documented limit: a process that left the session, scrubbed its environment and lost its
   * parent cannot be found by this layer. The test proves the limit is real (so the
   * documentation is honest), then ends the escapee itself.
   */
  @Override
  @org.junit.jupiter.api.Test
  void doubleForkThatClearsItsEnvironment() {
    Result r = runUntilDeadline("setsid sh -c '(env -i " + tree.sleep + " &) &' ; sleep 0.1");
    org.assertj.core.api.Assertions.assertThat(tree.alive()).as("the documented escape").hasSize(1);
    org.assertj.core.api.Assertions.assertThat(r.teardown().survivors()).isEmpty();
  }
}
