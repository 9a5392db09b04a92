package dev.promptly.match;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8DecoderTest {

  private static final String MIXED = "ok> Введите текст: €5 😀 done \uD834\uDD1E";

  /** The reference: a one-shot decode of all the bytes, with the JDK's replacement rules. */
  private static String whole(byte[] bytes) {
    return new String(bytes, UTF_8);
  }

  private static String decodeSplit(byte[] bytes, int... cuts) {
    Utf8Decoder d = new Utf8Decoder();
    StringBuilder sb = new StringBuilder();
    int from = 0;
    for (int cut : cuts) {
      sb.append(d.decode(bytes, from, cut - from));
      from = cut;
    }
    sb.append(d.decode(bytes, from, bytes.length - from));
    sb.append(d.finish());
    return sb.toString();
  }

  @Test
  void decodesWholeInput() {
    Utf8Decoder d = new Utf8Decoder();
    assertThat(d.decode(MIXED.getBytes(UTF_8))).isEqualTo(MIXED);
    assertThat(d.finish()).isEmpty();
  }

  @Test
  void everySplitPositionGivesTheSameText() {
    byte[] bytes = MIXED.getBytes(UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      assertThat(decodeSplit(bytes, cut)).as("cut at %d", cut).isEqualTo(MIXED);
    }
  }

  @Test
  void everyPairOfSplitPositionsGivesTheSameText() {
    byte[] bytes = MIXED.getBytes(UTF_8);
    for (int a = 0; a <= bytes.length; a++) {
      for (int b = a; b <= bytes.length; b++) {
        assertThat(decodeSplit(bytes, a, b)).as("cuts at %d, %d", a, b).isEqualTo(MIXED);
      }
    }
  }

  @Test
  void oneByteAtATime() {
    byte[] bytes = MIXED.getBytes(UTF_8);
    int[] cuts = new int[bytes.length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    assertThat(decodeSplit(bytes, cuts)).isEqualTo(MIXED);
  }

  @Test
  void returnsOnlyCompletedCharsAndKeepsTheTail() {
    byte[] emoji = "😀".getBytes(UTF_8);
    Utf8Decoder d = new Utf8Decoder();
    assertThat(d.decode(emoji, 0, 1)).isEmpty();
    assertThat(d.pendingBytes()).isEqualTo(1);
    assertThat(d.decode(emoji, 1, 2)).isEmpty();
    assertThat(d.pendingBytes()).isEqualTo(3);
    assertThat(d.decode(emoji, 3, 1)).isEqualTo("😀");
    assertThat(d.pendingBytes()).isZero();
  }

  @Test
  void cyrillicSplitInsideACharacter() {
    byte[] bytes = "Введите текст: ".getBytes(UTF_8);
    Utf8Decoder d = new Utf8Decoder();
    assertThat(d.decode(bytes, 0, 3)).isEqualTo("В");
    assertThat(d.decode(bytes, 3, bytes.length - 3)).isEqualTo("ведите текст: ");
  }

  @Test
  void invalidBytesBecomeReplacementCharacters() {
    byte[] bytes = {'a', (byte) 0xFF, 'b', (byte) 0x80, (byte) 0xC0, (byte) 0xAF, 'c'};
    Utf8Decoder d = new Utf8Decoder();
    String s = d.decode(bytes) + d.finish();
    assertThat(s).isEqualTo(whole(bytes)).startsWith("a\uFFFDb\uFFFD").endsWith("c");
  }

  @Test
  void truncatedSequenceFollowedByAsciiIsReplacedAndAsciiKept() {
    byte[] bytes = {(byte) 0xE2, (byte) 0x82, 'x', (byte) 0xF0, (byte) 0x9F, 'y'};
    for (int cut = 0; cut <= bytes.length; cut++) {
      assertThat(decodeSplit(bytes, cut)).as("cut at %d", cut).isEqualTo(whole(bytes))
          .contains("x").endsWith("y");
    }
  }

  @Test
  void incompleteTailIsReplacedByFinish() {
    byte[] bytes = {'a', (byte) 0xF0, (byte) 0x9F, (byte) 0x98};
    Utf8Decoder d = new Utf8Decoder();
    assertThat(d.decode(bytes)).isEqualTo("a");
    assertThat(d.finish()).isEqualTo("\uFFFD");
    assertThat(d.pendingBytes()).isZero();
  }

  @Test
  void reusableAfterFinish() {
    Utf8Decoder d = new Utf8Decoder();
    d.decode(new byte[] {(byte) 0xD0});
    d.finish();
    assertThat(d.decode("Ввод".getBytes(UTF_8))).isEqualTo("Ввод");
  }

  @Test
  void encodedSurrogatesAndOverlongFormsMatchTheJdk() {
    byte[] bytes = {(byte) 0xED, (byte) 0xA0, (byte) 0x80, 'a', (byte) 0xE0, (byte) 0x80,
        (byte) 0xAF, 'b', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, 'c'};
    for (int a = 0; a <= bytes.length; a++) {
      for (int b = a; b <= bytes.length; b++) {
        assertThat(decodeSplit(bytes, a, b)).as("cuts at %d, %d", a, b).isEqualTo(whole(bytes));
      }
    }
  }

  @Test
  void randomBytesAtEverySplitMatchTheJdk() {
    Random random = new Random(42);
    // Bytes biased towards lead and continuation bytes, to hit every malformed case.
    byte[] alphabet = {'a', (byte) 0x80, (byte) 0x9F, (byte) 0xBF, (byte) 0xC2, (byte) 0xC0,
        (byte) 0xD0, (byte) 0xE0, (byte) 0xE2, (byte) 0xED, (byte) 0xF0, (byte) 0xF4,
        (byte) 0xF5, (byte) 0xFF, (byte) 0x90, (byte) 0xA0};
    for (int round = 0; round < 300; round++) {
      byte[] bytes = new byte[1 + random.nextInt(24)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = alphabet[random.nextInt(alphabet.length)];
      }
      String expected = whole(bytes);
      for (int a = 0; a <= bytes.length; a++) {
        for (int b = a; b <= bytes.length; b++) {
          assertThat(decodeSplit(bytes, a, b)).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void largeChunksAfterSmallOnes() {
    String big = MIXED.repeat(5000);
    byte[] bytes = big.getBytes(UTF_8);
    assertThat(decodeSplit(bytes, 1, 2, 3, 70_000)).isEqualTo(big);
  }

  @Test
  void emptyChunkKeepsPending() {
    byte[] bytes = "я".getBytes(UTF_8);
    Utf8Decoder d = new Utf8Decoder();
    assertThat(d.decode(bytes, 0, 1)).isEmpty();
    assertThat(d.decode(bytes, 1, 0)).isEmpty();
    assertThat(d.decode(bytes, 1, 1)).isEqualTo("я");
  }

  @Test
  void rejectsBadBounds() {
    Utf8Decoder d = new Utf8Decoder();
    assertThatThrownBy(() -> d.decode(new byte[2], 1, 2))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
