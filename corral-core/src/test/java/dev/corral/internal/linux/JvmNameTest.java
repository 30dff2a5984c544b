package dev.corral.internal.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** JVM directory names: plain in the initial pid namespace, with the namespace elsewhere. */
class JvmNameTest {
  private static final long OTHER = 4026532999L;

  @Test
  void theInitialNamespaceKeepsThePlainName() {
    assertThat(new JvmName(42, 777, JvmName.INITIAL).text()).isEqualTo("42.777");
    assertThat(new JvmName(1, 777, OTHER).text()).isEqualTo("1.777." + OTHER);
    assertThat(JvmName.parse("42.777")).isEqualTo(new JvmName(42, 777, JvmName.INITIAL));
    assertThat(JvmName.parse("1.777." + OTHER)).isEqualTo(new JvmName(1, 777, OTHER));
  }

  @Test
  void aJvmJudgesOnlyNamesOfItsOwnKnownNamespace() {
    JvmName host = JvmName.parse("42.777");
    JvmName container = JvmName.parse("1.777." + OTHER);
    assertThat(host.judgedFrom(JvmName.INITIAL)).isTrue();
    assertThat(host.judgedFrom(OTHER)).isFalse();
    assertThat(container.judgedFrom(OTHER)).isTrue();
    assertThat(container.judgedFrom(JvmName.INITIAL)).isFalse();
    assertThat(host.judgedFrom(JvmName.UNKNOWN)).as("an unreadable namespace judges nothing").isFalse();
  }

  @Test
  void otherNamesAreNotJvmNames() {
    assertThat(JvmName.parse("watch-1")).isNull();
    assertThat(JvmName.parse("42")).isNull();
    assertThat(JvmName.parse("42.x")).isNull();
    assertThat(JvmName.parse("1.2.3.4")).isNull();
    assertThat(JvmName.parse("")).isNull();
  }

  @Test
  void thisProcessKnowsItsNamespace() {
    assertThat(JvmName.ownNamespace()).isNotEqualTo(JvmName.UNKNOWN);
  }
}
