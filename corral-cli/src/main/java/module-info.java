/**
 * The {@code corral} command: {@code run}, the GNU {@code timeout} drop-in, {@code doctor} and
 * {@code tree}. It reads the library's API and, by the library's qualified exports, only the two
 * internal packages a command line needs: the signal tables and its own platform duties.
 */
module dev.corral.cli {
  requires dev.corral;
  requires jdk.unsupported; // sun.misc.Signal: the signals a caller sends to corral are forwarded
}
