package dev.corral.cli;

/** Placeholder until the CLI issue: runs nothing. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.err.println("corral: the command line comes in its own issue");
    System.exit(125);
  }
}
