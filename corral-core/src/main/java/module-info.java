/**
 * Corral runs a command under a deadline and ends its whole process tree.
 *
 * <p>Only {@code dev.corral} is API. Platform code lives in non-exported {@code internal} packages.
 */
module dev.corral {
  requires jdk.jfr; // events for spawn, stop and teardown; part of every standard JDK
  exports dev.corral;
  // The command line's needs, for it alone: signal tables and process stats, and its platform
  // duties (the launcher's pre-forked slot, dispositions, the process list).
  exports dev.corral.internal to dev.corral.cli;
  exports dev.corral.internal.cli to dev.corral.cli;
}
