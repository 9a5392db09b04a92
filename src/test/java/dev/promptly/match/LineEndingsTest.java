package dev.promptly.match;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineEndingsTest {

  private static final List<String> SAMPLES = List.of(
      "",
      "\r",
      "\n",
      "\r\n",
      "\r\r\n",
      "\n\r",
      "\r\r",
      "a\r\nb\r\nc",
      ">>> 1+1\r\n2\r\n>>> ",
      "progress 10%\rprogress 20%\r\ndone\r\n",
      "Введите текст: one\r\nВы ввели one\r\n",
      "x\r\r\r\n\r\n\r",
      "no line ends at all");

  private static String once(String s) {
    LineEndings l = new LineEndings();
    return l.normalize(s) + l.finish();
  }

  /** Feeds {@code s} cut at the given offsets, then finishes. */
  private static String split(String s, List<Integer> cuts) {
    LineEndings l = new LineEndings();
    StringBuilder sb = new StringBuilder();
    int from = 0;
    for (int cut : cuts) {
      sb.append(l.normalize(s.substring(from, cut)));
      from = cut;
    }
    sb.append(l.normalize(s.substring(from)));
    return sb.append(l.finish()).toString();
  }

  private static String expected(String s) {
    return s.replace("\r\n", "\n");
  }

  @Test
  void crLfBecomesLfAndEverythingElseStays() {
    assertThat(once("a\r\nb")).isEqualTo("a\nb");
    assertThat(once("a\rb")).isEqualTo("a\rb");
    assertThat(once("a\n\rb")).isEqualTo("a\n\rb");
    // A program's own "\r\n" reaches a terminal's reader as "\r\r\n": it is given back as written.
    assertThat(once("a\r\r\nb")).isEqualTo("a\r\nb");
    assertThat(once("")).isEmpty();
  }

  @Test
  void textWithoutCarriageReturnIsHandedBackAsIs() {
    LineEndings l = new LineEndings();
    assertThat(l.normalize("plain\ntext")).isEqualTo("plain\ntext");
    assertThat(l.holding()).isFalse();
  }

  @Test
  void aFinalCarriageReturnWaitsForTheNextChunk() {
    LineEndings l = new LineEndings();
    assertThat(l.normalize("line\r")).isEqualTo("line");
    assertThat(l.holding()).isTrue();
    assertThat(l.normalize("")).isEmpty();
    assertThat(l.holding()).isTrue();
    assertThat(l.normalize("\nnext")).isEqualTo("\nnext");
    assertThat(l.holding()).isFalse();

    assertThat(l.normalize("bar\r")).isEqualTo("bar");
    assertThat(l.normalize("redrawn")).isEqualTo("\rredrawn");

    assertThat(l.normalize("\r")).isEmpty();
    assertThat(l.normalize("\r")).isEqualTo("\r");
    assertThat(l.normalize("\n")).isEqualTo("\n");
  }

  @Test
  void finishHandsOnAHeldCarriageReturnOnce() {
    LineEndings l = new LineEndings();
    assertThat(l.normalize("end\r")).isEqualTo("end");
    assertThat(l.finish()).isEqualTo("\r");
    assertThat(l.finish()).isEmpty();
    assertThat(l.holding()).isFalse();
  }

  @Test
  void everyTwoWaySplitGivesTheSameText() {
    for (String s : SAMPLES) {
      for (int cut = 0; cut <= s.length(); cut++) {
        assertThat(split(s, List.of(cut))).as("%s cut at %d", s, cut).isEqualTo(expected(s));
      }
    }
  }

  @Test
  void everyThreeWaySplitGivesTheSameText() {
    for (String s : SAMPLES) {
      for (int a = 0; a <= s.length(); a++) {
        for (int b = a; b <= s.length(); b++) {
          assertThat(split(s, List.of(a, b))).as("%s cut at %d, %d", s, a, b)
              .isEqualTo(expected(s));
        }
      }
    }
  }

  @Test
  void oneCharAtATimeGivesTheSameText() {
    for (String s : SAMPLES) {
      List<Integer> cuts = new ArrayList<>();
      for (int i = 1; i < s.length(); i++) {
        cuts.add(i);
      }
      assertThat(split(s, cuts)).as(s).isEqualTo(expected(s));
    }
  }

  @Test
  void randomTextAndRandomCuts() {
    Random random = new Random(20240601);
    char[] alphabet = {'\r', '\n', 'a', 'я', ' '};
    for (int round = 0; round < 2000; round++) {
      StringBuilder sb = new StringBuilder();
      int length = random.nextInt(40);
      for (int i = 0; i < length; i++) {
        sb.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String s = sb.toString();
      List<Integer> cuts = new ArrayList<>();
      int at = 0;
      while (at < s.length()) {
        at += random.nextInt(5);
        if (at <= s.length()) {
          cuts.add(at);
        }
      }
      assertThat(split(s, cuts)).as("%s cut at %s", s, cuts).isEqualTo(expected(s));
    }
  }
}
