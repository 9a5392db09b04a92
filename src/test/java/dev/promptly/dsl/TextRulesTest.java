package dev.promptly.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextRulesTest {

  // ---- ShellWords

  @Test
  void splitsOnWhiteSpace() {
    assertThat(ShellWords.split("  python3   echo.py\t-v \n x ")).containsExactly("python3",
        "echo.py", "-v", "x");
  }

  @Test
  void quotesGroupAndEmptyQuotesAreAnArgument() {
    assertThat(ShellWords.split("printf '%s|' 'a b' \"c d\" '' \"\" e''f"))
        .containsExactly("printf", "%s|", "a b", "c d", "", "", "ef");
  }

  @Test
  void singleQuotesKeepEverything() {
    assertThat(ShellWords.split("echo 'a\\nb \"q\" $x'")).containsExactly("echo",
        "a\\nb \"q\" $x");
  }

  @Test
  void doubleQuotesEscapeOnlyFourCharacters() {
    assertThat(ShellWords.split("echo \"a\\\"b\\\\c\\$d\\`e\\nf\""))
        .containsExactly("echo", "a\"b\\c$d`e\\nf");
  }

  @Test
  void backslashOutsideQuotesTakesTheNextCharacter() {
    assertThat(ShellWords.split("echo a\\ b \\'c \\\\ d\\\ne"))
        .containsExactly("echo", "a b", "'c", "\\", "de");
  }

  @Test
  void variablesAndGlobsPassThrough() {
    assertThat(ShellWords.split("ls ${dir} *.txt ~ #x")).containsExactly("ls", "${dir}",
        "*.txt", "~", "#x");
  }

  @Test
  void unterminatedQuotesAreErrors() {
    assertThatThrownBy(() -> ShellWords.split("echo 'abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unterminated single quote (opened at character 6)");
    assertThatThrownBy(() -> ShellWords.split("echo \"a\\\""))
        .hasMessage("unterminated double quote (opened at character 6)");
    assertThatThrownBy(() -> ShellWords.split("echo a\\"))
        .hasMessageContaining("lone backslash");
  }

  @Test
  void emptyTextHasNoWords() {
    assertThat(ShellWords.split("   ")).isEmpty();
  }

  // ---- Escapes

  @Test
  void decodesEscapes() {
    assertThat(Escapes.decode("a\\nb\\r\\t\\e\\a\\b\\f\\v\\0\\\\\\'\\\""))
        .isEqualTo("a\nb\r\t\u001b\u0007\b\f\u000b\0\\'\"");
    assertThat(Escapes.decode("\\x04\\x1B[0m")).isEqualTo("\u0004\u001b[0m");
    assertThat(Escapes.decode("\\u0416\\u00e9")).isEqualTo("Жé");
    assertThat(Escapes.decode("\\cC\\cd\\c[\\c?")).isEqualTo("\u0003\u0004\u001b\u007f");
    assertThat(Escapes.decode("no escapes $ here")).isEqualTo("no escapes $ here");
  }

  @Test
  void invalidEscapesAreErrors() {
    assertThatThrownBy(() -> Escapes.decode("C:\\path"))
        .hasMessageContaining("invalid escape '\\p'");
    assertThatThrownBy(() -> Escapes.decode("\\x4")).hasMessageContaining("2 hex digits");
    assertThatThrownBy(() -> Escapes.decode("\\xZZ")).hasMessageContaining("2 hex digits");
    assertThatThrownBy(() -> Escapes.decode("\\u12G4")).hasMessageContaining("4 hex digits");
    assertThatThrownBy(() -> Escapes.decode("end\\")).hasMessageContaining("lone backslash");
    assertThatThrownBy(() -> Escapes.decode("\\c1")).hasMessageContaining("control escape");
  }

  // ---- Vars

  @Test
  void substitutesOnlyDollarBrace() {
    Map<String, String> v = Map.of("user", "Zoot", "n", "3");
    assertThat(Vars.substitute("hi ${user}, $user costs $5 ${n}$", v::get))
        .isEqualTo("hi Zoot, $user costs $5 3$");
  }

  @Test
  void doubleDollarBraceWritesALiteral() {
    assertThat(Vars.substitute("$${user} and $$ and $${", Map.of("user", "Zoot")::get))
        .isEqualTo("${user} and $$ and ${");
  }

  @Test
  void unknownNamesStayAsWrittenAndFallbacksApply() {
    assertThat(Vars.substitute("${nope} ${a:-b} ${c:-}", Map.<String, String>of()::get))
        .isEqualTo("${nope} b ");
    assertThat(Vars.substitute("${a:-b}", Map.of("a", "A")::get)).isEqualTo("A");
    assertThat(Vars.references("${a:-b} ${env:X:-y}")).containsExactly("a", "env:X");
    assertThat(Vars.required("${a:-b} ${c} ${env:X:-y} ${env:Z}")).containsExactly("c", "env:Z");
  }

  @Test
  void strictRefusesAReferenceWithoutValue() {
    assertThatThrownBy(() -> Vars.strict("pw: ${env:NOPE_NOT_SET}", n -> null))
        .isInstanceOf(Vars.Unresolved.class).hasMessageContaining("${env:NOPE_NOT_SET}");
    assertThat(Vars.strict("${x:-fallback}", n -> null)).isEqualTo("fallback");
  }

  @Test
  void valuesAreNotSubstitutedAgain() {
    Map<String, String> v = Map.of("a", "${b}", "b", "B");
    assertThat(Vars.substitute("${a}", v::get)).isEqualTo("${b}");
  }

  @Test
  void envLookupGoesToTheEnvironment() {
    var lookup = Vars.lookup(Map.of("x", "X"), Map.of("HOME", "/h")::get);
    assertThat(Vars.substitute("${x} ${env:HOME} ${env:NOPE}", lookup))
        .isEqualTo("X /h ${env:NOPE}");
  }

  @Test
  void referencesListsNamesButNotEscapes() {
    assertThat(Vars.references("${a} $${b} ${env:HOME} $c ${a} ${d}"))
        .containsExactly("a", "env:HOME", "d");
    assertThat(Vars.references("nothing")).isEmpty();
  }

  // ---- Durations

  @Test
  void parsesDurations() {
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(Durations.parse("0.25")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse(" 3 s ")).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void refusesBadDurations() {
    for (String bad : List.of("0", "0s", "-1s", "10x", "s", "", "1.5.2s", "0.0001s",
        "9999999999999s")) {
      assertThatThrownBy(() -> Durations.parse(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
