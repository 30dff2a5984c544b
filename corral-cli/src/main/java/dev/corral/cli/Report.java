package dev.corral.cli;

import dev.corral.Result;
import dev.corral.Signal;
import dev.corral.Teardown;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code --report=json[=FILE]}: the result and its teardown as one JSON object. */
final class Report {
  private Report() {}

  /** Where the report goes: a file, or standard error when {@code file} is null, or "-" for stdout. */
  record Target(String file) {
    /** Parses the option's value: {@code json} or {@code json=FILE}. */
    static Target parse(String value) {
      if (value.equals("json")) {
        return new Target(null);
      }
      if (value.startsWith("json=") && value.length() > 5) {
        return new Target(value.substring(5));
      }
      throw new IllegalArgumentException("invalid report " + Quote.of(value) + "; use json or json=FILE");
    }
  }

  static void write(Target target, Result r, int status, boolean timedOut, Cli cli) {
    if (target == null) {
      return;
    }
    String json = json(r, status, timedOut);
    if (target.file() == null) {
      System.err.println(json);
    } else if (target.file().equals("-")) {
      System.out.println(json);
    } else {
      try {
        Files.writeString(Path.of(target.file()), json + "\n", StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        cli.error("cannot write the report to " + Quote.of(target.file()) + ": " + e.getMessage());
      }
    }
  }

  static String json(Result r, int status, boolean timedOut) {
    Teardown t = r.teardown();
    Json j = new Json();
    j.begin();
    j.field("command").array(r.command().argv());
    j.field("pid").value(r.pid());
    j.field("exitCode").value(r.exitCode().isPresent() ? r.exitCode().getAsInt() : null);
    j.field("signal").value(r.signal().map(Signal::name).orElse(null));
    j.field("status").value(status);
    j.field("timedOut").value(timedOut);
    j.field("cancelled").value(r.cancelled() && !timedOut);
    j.field("durationMillis").value(r.duration().toNanos() / 1e6);
    j.field("teardown").begin();
    j.field("containment").value(t.containment().name());
    j.field("cause").value(timedOut ? Teardown.Cause.DEADLINE.name() : t.cause().name());
    j.field("signalled").value(t.signalled());
    j.field("endedOnStop").array(t.endedOnStop());
    j.field("neededKill").array(t.neededKill());
    j.field("leftRunning").array(t.leftRunning());
    j.field("survivors").array(t.survivors());
    j.field("clean").value(t.clean());
    j.end();
    j.end();
    return j.toString();
  }

  /** A small JSON writer: enough for flat records and lists of numbers and strings. */
  static final class Json {
    private final StringBuilder sb = new StringBuilder();
    private boolean first = true;

    Json begin() {
      return open('{');
    }

    Json end() {
      return close('}');
    }

    Json field(String name) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      string(name);
      sb.append(':');
      return this;
    }

    Json value(Object v) {
      if (v == null) {
        sb.append("null");
      } else if (v instanceof String s) {
        string(s);
      } else {
        sb.append(v);
      }
      return this;
    }

    Json array(List<?> values) {
      sb.append('[');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        value(values.get(i));
      }
      sb.append(']');
      return this;
    }

    /** For nested arrays of objects: '[' ... ']' with {@link #comma()} between elements. */
    Json openArray() {
      return open('[');
    }

    Json closeArray() {
      return close(']');
    }

    private Json open(char c) {
      sb.append(c);
      first = true;
      return this;
    }

    private Json close(char c) {
      sb.append(c);
      first = false;
      return this;
    }

    Json comma() {
      sb.append(',');
      return this;
    }

    private void string(String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\t' -> sb.append("\\t");
          case '\r' -> sb.append("\\r");
          default -> {
            if (c < 0x20) {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      sb.append('"');
    }

    @Override
    public String toString() {
      return sb.toString();
    }
  }
}
