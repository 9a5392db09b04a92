package dev.promptly.match;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnsiFilterTest {

  private static final String E = "\u001B";

  private static String once(String s) {
    return new AnsiFilter().filter(s);
  }

  private static String split(String s, int... cuts) {
    AnsiFilter f = new AnsiFilter();
    StringBuilder sb = new StringBuilder();
    int from = 0;
    for (int cut : cuts) {
      sb.append(f.filter(s.substring(from, cut)));
      from = cut;
    }
    sb.append(f.filter(s.substring(from)));
    return sb.toString();
  }

  @Test
  void plainTextIsReturnedAsIs() {
    assertThat(once("Введите текст: \r\n\t\b")).isEqualTo("Введите текст: \r\n\t\b");
    assertThat(once("")).isEmpty();
  }

  @Test
  void coloursAreRemoved() {
    assertThat(once(E + "[1;31mERROR" + E + "[0m: " + E + "[38;5;208mdisk" + E + "[m"))
        .isEqualTo("ERROR: disk");
    assertThat(once(E + "[38;2;255;0;0mred" + E + "[39m")).isEqualTo("red");
  }

  @Test
  void cursorMovesAndErasesAreRemoved() {
    assertThat(once("a" + E + "[2K" + E + "[1G" + E + "[10;20H" + E + "[?25l" + E + "[?2004h$ "))
        .isEqualTo("a$ ");
    assertThat(once(E + "[>0c" + E + "[ q" + "x")).isEqualTo("x");
  }

  @Test
  void oscTitlesAreRemovedWithEitherTerminator() {
    assertThat(once(E + "]0;user@host: ~" + "\u0007" + "$ ")).isEqualTo("$ ");
    assertThat(once(E + "]2;title" + E + "\\" + "$ ")).isEqualTo("$ ");
    assertThat(once(E + "]8;;https://example.com" + E + "\\link" + E + "]8;;" + E + "\\"))
        .isEqualTo("link");
  }

  @Test
  void stringControlsAreRemoved() {
    assertThat(once("a" + E + "P1$r0m" + E + "\\b" + E + "_apc" + E + "\\c")).isEqualTo("abc");
  }

  @Test
  void shortEscapesAreRemoved() {
    assertThat(once(E + "(B" + E + ")0" + E + "=" + E + ">" + E + "7" + E + "8" + E + "M" + "ok"))
        .isEqualTo("ok");
    assertThat(once(E + "#8x")).isEqualTo("x");
  }

  @Test
  void brokenSequencesKeepTheTextThatBrokeThem() {
    assertThat(once(E + "[12\nnext")).isEqualTo("\nnext");
    assertThat(once(E + "\nnext")).isEqualTo("\nnext");
    assertThat(once(E + E + "[31mx")).isEqualTo("x");
    assertThat(once(E + "]title" + E + "[0mx")).isEqualTo("x");
    assertThat(once(E + "[12" + "\u0018" + "x")).isEqualTo("x");
  }

  @Test
  void everySplitPositionGivesTheSameText() {
    String s = "\r" + E + "[2K" + E + "[1;32m✔" + E + "[0m done " + E + "]0;title" + "\u0007"
        + E + "(B" + E + "=" + "Введите текст: " + E + "]2;t" + E + "\\" + E + "[?25h😀";
    String expected = "\r✔ done Введите текст: 😀";
    assertThat(once(s)).isEqualTo(expected);
    for (int a = 0; a <= s.length(); a++) {
      for (int b = a; b <= s.length(); b++) {
        assertThat(split(s, a, b)).as("cuts %d %d", a, b).isEqualTo(expected);
      }
    }
  }

  @Test
  void oneCharAtATime() {
    String s = E + "[31mred" + E + "[0m " + E + "]0;x" + E + "\\y";
    AnsiFilter f = new AnsiFilter();
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(f.filter(String.valueOf(c)));
    }
    assertThat(sb).hasToString("red y");
  }

  @Test
  void reportsAnOpenSequence() {
    AnsiFilter f = new AnsiFilter();
    assertThat(f.filter("a" + E + "[3")).isEqualTo("a");
    assertThat(f.inSequence()).isTrue();
    assertThat(f.filter("1mb")).isEqualTo("b");
    assertThat(f.inSequence()).isFalse();
    f.filter(E + "]unterminated");
    f.reset();
    assertThat(f.filter("c")).isEqualTo("c");
  }

  @Test
  void longStringBodiesAreDroppedNotHeld() {
    AnsiFilter f = new AnsiFilter();
    assertThat(f.filter(E + "]")).isEmpty();
    for (int i = 0; i < 1000; i++) {
      assertThat(f.filter("x".repeat(1000))).isEmpty();
    }
    assertThat(f.filter("\u0007tail")).isEqualTo("tail");
  }

  @Test
  void feedsTheMatcher() {
    AnsiFilter f = new AnsiFilter();
    PromptMatcher m = new PromptMatcher();
    m.expect(List.of(new PatternSpec.Literal("Password: ")));
    assertThat(m.feed(f.filter(E + "[1mPass"))).isEmpty();
    assertThat(m.feed(f.filter("word" + E + "[0"))).isEmpty();
    assertThat(m.feed(f.filter("m: "))).map(MatchResult::start).contains(0L);
  }
}
