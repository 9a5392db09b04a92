package dev.promptly.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LineTailTest {

  @Test
  void keepsCompleteLinesAndThePartialOne() {
    LineTail t = new LineTail();
    t.append("one\ntwo\nВведите текст: ");
    assertThat(t.lines()).containsExactly("one", "two", "Введите текст: ");
    assertThat(t.text()).isEqualTo("one\ntwo\nВведите текст: ");
  }

  @Test
  void noEmptyPartialLineAfterATrailingBreak() {
    LineTail t = new LineTail();
    t.append("one\n");
    assertThat(t.lines()).containsExactly("one");
    t.append("\n");
    assertThat(t.lines()).containsExactly("one", "");
  }

  @Test
  void emptyTail() {
    assertThat(new LineTail().lines()).isEmpty();
    assertThat(new LineTail().text()).isEmpty();
  }

  @Test
  void keepsOnlyTheLastLines() {
    LineTail t = new LineTail(3, 100);
    for (int i = 0; i < 50; i++) {
      t.append("line " + i + "\n");
    }
    assertThat(t.lines()).containsExactly("line 47", "line 48", "line 49");
    t.append("$ ");
    assertThat(t.lines()).containsExactly("line 48", "line 49", "$ ");
  }

  @Test
  void defaultIsTwentyLines() {
    LineTail t = new LineTail();
    for (int i = 0; i < 100; i++) {
      t.append(i + "\n");
    }
    assertThat(t.lines()).hasSize(20).startsWith("80").endsWith("99");
  }

  @Test
  void allKindsOfLineBreak() {
    LineTail t = new LineTail();
    t.append("a\r\nb\rc\nd\r\r\ne\n\nf");
    // A lone '\r' (a redraw) stays visible at the end of the line it ended.
    assertThat(t.lines()).containsExactly("a", "b\r", "c", "d", "e", "", "f");
  }

  @Test
  void crLfSplitAcrossAppendsIsOneBreak() {
    LineTail t = new LineTail();
    t.append("a\r");
    assertThat(t.lines()).containsExactly("a");
    t.append("\nb");
    assertThat(t.lines()).containsExactly("a", "b");
  }

  @Test
  void everySplitPositionGivesTheSameLines() {
    String s = "first\r\nsecond\r\r\nthird\rfourth\n\nfifth ok";
    LineTail whole = new LineTail();
    whole.append(s);
    for (int cut = 0; cut <= s.length(); cut++) {
      LineTail t = new LineTail();
      t.append(s.substring(0, cut));
      t.append(s.substring(cut));
      assertThat(t.lines()).as("cut %d", cut).isEqualTo(whole.lines());
    }
    assertThat(whole.lines()).containsExactly("first", "second", "third\r", "fourth", "", "fifth ok");
  }

  @Test
  void longLinesKeepTheirEndMarkedAsCut() {
    LineTail t = new LineTail(5, 10);
    t.append("0123456789");
    assertThat(t.lines()).containsExactly("0123456789");
    t.append("abc\nshort\n");
    assertThat(t.lines()).containsExactly("…3456789abc", "short");
  }

  @Test
  void aHugeLineFedInPiecesStaysBounded() {
    LineTail t = new LineTail(5, 500);
    for (int i = 0; i < 100_000; i++) {
      t.append("0123456789");
    }
    t.append("Password: ");
    String last = t.lines().get(0);
    assertThat(last).startsWith("…").endsWith("0123456789Password: ").hasSize(501);
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    LineTail t = new LineTail(1, 3);
    t.append("x😀ab");
    assertThat(t.lines()).containsExactly("…ab");
    t.append("\n");
    t.append("😀😀");
    assertThat(t.lines()).containsExactly("…😀");
  }

  @Test
  void rejectsEmptyBounds() {
    assertThatThrownBy(() -> new LineTail(0, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LineTail(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
