package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** getopt_long's grammar and messages, as GNU timeout parses "+fk:ps:v": pure logic. */
class GetOptTest {
  private static final GetOpt OPTIONS = new GetOpt("fk:ps:v", List.of(
      new GetOpt.LongOption("foreground", false, 'f'),
      new GetOpt.LongOption("kill-after", true, 'k'),
      new GetOpt.LongOption("preserve-status", false, 'p'),
      new GetOpt.LongOption("signal", true, 's'),
      new GetOpt.LongOption("verbose", false, 'v'),
      new GetOpt.LongOption("version", false, 'V')));

  private final List<String> seen = new ArrayList<>();

  private int parse(String... args) throws GetOpt.UsageError {
    return OPTIONS.parse(List.of(args), 0, f -> seen.add(f.key() + (f.argument() == null ? "" : "=" + f.argument())))
        .firstOperand();
  }

  @Test
  void shortOptionsClusterAndTakeAttachedOrNextArguments() throws Exception {
    assertThat(parse("-vf", "-k5", "-s", "INT", "1", "cmd")).isEqualTo(4);
    assertThat(seen).containsExactly("v", "f", "k=5", "s=INT");
  }

  @Test
  void clusterEndsAtAnOptionThatTakesTheRestAsArgument() throws Exception {
    parse("-vk1s", "2", "cmd");
    assertThat(seen).containsExactly("v", "k=1s");
  }

  @Test
  void longOptionsTakeEqualsOrNextAndMayBeAbbreviated() throws Exception {
    assertThat(parse("--kill-after=3", "--sig", "HUP", "--pres", "--verb", "5", "x")).isEqualTo(5);
    assertThat(seen).containsExactly("k=3", "s=HUP", "p", "v");
  }

  @Test
  void scanningStopsAtTheFirstOperandOrAfterDoubleDash() throws Exception {
    assertThat(parse("5", "-v", "cmd")).isEqualTo(0);
    assertThat(parse("--", "-v", "cmd")).isEqualTo(1);
    assertThat(parse("-", "cmd")).as("a lone dash is an operand").isEqualTo(0);
    assertThat(seen).isEmpty();
  }

  @Test
  void errorsUseGetoptsWording() {
    assertThatThrownBy(() -> parse("-x")).hasMessage("invalid option -- 'x'");
    assertThatThrownBy(() -> parse("-k")).hasMessage("option requires an argument -- 'k'");
    assertThatThrownBy(() -> parse("--nope=1")).hasMessage("unrecognized option '--nope=1'");
    assertThatThrownBy(() -> parse("--verbose=1")).hasMessage("option '--verbose' doesn't allow an argument");
    assertThatThrownBy(() -> parse("--signal")).hasMessage("option '--signal' requires an argument");
    assertThatThrownBy(() -> parse("--ver"))
        .hasMessage("option '--ver' is ambiguous; possibilities: '--verbose' '--version'");
  }

  @Test
  void anEarlyOptionIsSeenBeforeALaterError() {
    assertThatThrownBy(() -> parse("-v", "--nope")).isInstanceOf(GetOpt.UsageError.class);
    assertThat(seen).containsExactly("v");
  }
}
