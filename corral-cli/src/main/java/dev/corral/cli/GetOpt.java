package dev.corral.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Option parsing as glibc's {@code getopt_long} does it with a leading {@code +} in the short
 * option string: scanning stops at the first operand or after {@code --}; short options cluster
 * ({@code -vk5}); long options take {@code --name=value} or {@code --name value} and may be
 * abbreviated to any unique prefix. Errors carry getopt's own wording. Pure logic.
 */
final class GetOpt {

  /** One long option; {@code key} is what it reports, the same as its short form if it has one. */
  record LongOption(String name, boolean takesArgument, char key) {}

  /** One option found: its key, its argument (null when it takes none), and how it was named. */
  record Found(char key, String argument, String spelled) {}

  /** Where the operands start. */
  record Parsed(int firstOperand) {}

  /** Receives each option as soon as it is read, in order, so an early --help wins over a later error. */
  interface Visitor {
    void option(Found found) throws UsageError;
  }

  /** A usage error, worded as getopt words it (without the program name). */
  static final class UsageError extends Exception {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message, null, false, false);
    }
  }

  /** Thrown by a visitor to end parsing with an exit status, as --help and --version do. */
  static final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    Stop(int status) {
      super(null, null, false, false);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  private final String shortSpec;
  private final List<LongOption> longs;

  /** {@code shortSpec} lists the short options; a colon after one means it takes an argument. */
  GetOpt(String shortSpec, List<LongOption> longs) {
    this.shortSpec = shortSpec;
    this.longs = List.copyOf(longs);
  }

  Parsed parse(List<String> args, int from, Visitor visitor) throws UsageError {
    int i = from;
    while (i < args.size()) {
      String a = args.get(i);
      if (a.equals("--")) {
        i++;
        break;
      }
      if (a.startsWith("--")) {
        i = longOption(args, i, visitor);
      } else if (a.startsWith("-") && a.length() > 1) {
        i = shortCluster(args, i, visitor);
      } else {
        break;
      }
    }
    return new Parsed(i);
  }

  private int longOption(List<String> args, int i, Visitor visitor) throws UsageError {
    String body = args.get(i).substring(2);
    int eq = body.indexOf('=');
    String name = eq < 0 ? body : body.substring(0, eq);
    LongOption match = null;
    List<LongOption> candidates = new ArrayList<>();
    for (LongOption o : longs) {
      if (o.name().equals(name)) {
        match = o;
        break;
      }
      if (o.name().startsWith(name)) {
        candidates.add(o);
      }
    }
    if (match == null) {
      if (candidates.isEmpty()) {
        throw new UsageError("unrecognized option '--" + body + "'");
      }
      if (candidates.size() > 1) {
        StringBuilder sb = new StringBuilder("option '--" + name + "' is ambiguous; possibilities:");
        for (LongOption o : candidates) {
          sb.append(" '--").append(o.name()).append('\'');
        }
        throw new UsageError(sb.toString());
      }
      match = candidates.get(0);
    }
    String spelled = "--" + match.name();
    if (!match.takesArgument()) {
      if (eq >= 0) {
        throw new UsageError("option '" + spelled + "' doesn't allow an argument");
      }
      visitor.option(new Found(match.key(), null, spelled));
      return i + 1;
    }
    if (eq >= 0) {
      visitor.option(new Found(match.key(), body.substring(eq + 1), spelled));
      return i + 1;
    }
    if (i + 1 >= args.size()) {
      throw new UsageError("option '" + spelled + "' requires an argument");
    }
    visitor.option(new Found(match.key(), args.get(i + 1), spelled));
    return i + 2;
  }

  private int shortCluster(List<String> args, int i, Visitor visitor) throws UsageError {
    String a = args.get(i);
    for (int k = 1; k < a.length(); k++) {
      char c = a.charAt(k);
      int at = c == ':' ? -1 : shortSpec.indexOf(c);
      if (at < 0) {
        throw new UsageError("invalid option -- '" + c + "'");
      }
      boolean takesArgument = at + 1 < shortSpec.length() && shortSpec.charAt(at + 1) == ':';
      if (!takesArgument) {
        visitor.option(new Found(c, null, "-" + c));
      } else if (k + 1 < a.length()) {
        visitor.option(new Found(c, a.substring(k + 1), "-" + c));
        return i + 1;
      } else if (i + 1 >= args.size()) {
        throw new UsageError("option requires an argument -- '" + c + "'");
      } else {
        visitor.option(new Found(c, args.get(i + 1), "-" + c));
        return i + 2;
      }
    }
    return i + 1;
  }
}
