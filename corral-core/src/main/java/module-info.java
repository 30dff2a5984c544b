/**
 * Corral runs a command under a deadline and ends its whole process tree.
 *
 * <p>Only {@code dev.corral} is API. Platform code lives in non-exported {@code internal} packages.
 */
module dev.corral {
  requires jdk.jfr; // events for spawn, stop and teardown; part of every standard JDK
  exports dev.corral;
}
