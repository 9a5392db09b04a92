package dev.promptly.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Streaming masks: a secret is caught however the output is cut, and nothing else changes. */
class SecretMaskerTest {

  private static byte[] feed(SecretMasker m, byte[] all, int... cuts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int from = 0;
    for (int cut : cuts) {
      out.writeBytes(m.mask(Arrays.copyOfRange(all, from, cut)));
      from = cut;
    }
    out.writeBytes(m.mask(Arrays.copyOfRange(all, from, all.length)));
    out.writeBytes(m.finish());
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aSecretCutAnywhereIsStillMasked() {
    String text = "Password: hunter2\r\nyou typed hunter2, пароль hunter2";
    byte[] all = utf8(text);
    byte[] want = utf8(text.replace("hunter2", "******"));
    for (int a = 0; a <= all.length; a++) {
      for (int b = a; b <= all.length; b += 3) {
        Secrets s = new Secrets();
        s.add("hunter2");
        assertThat(feed(new SecretMasker(s), all, a, b)).as("cut at %d and %d", a, b)
            .isEqualTo(want);
      }
    }
  }

  @Test
  void aMultibyteSecretSplitInsideACharacterIsMasked() {
    Secrets s = new Secrets();
    s.add("пароль");
    byte[] all = utf8("x пароль y");
    for (int cut = 0; cut <= all.length; cut++) {
      assertThat(feed(new SecretMasker(s), all, cut)).isEqualTo(utf8("x ****** y"));
    }
  }

  @Test
  void binaryAndInvalidUtf8PassByteExact() {
    Secrets s = new Secrets();
    s.add("abc");
    byte[] all = new byte[512];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    // 'a' (0x61) starts a secret; 'b' follows it in the ramp, 'c' too: mask exactly that.
    byte[] got = feed(new SecretMasker(s), all, 97, 98, 300);
    ByteArrayOutputStream want = new ByteArrayOutputStream();
    for (int i = 0; i < all.length; i++) {
      if (i == 0x61 || i == 0x161) {
        want.writeBytes(utf8("******"));
        i += 2;
      } else {
        want.write(all[i]);
      }
    }
    assertThat(got).isEqualTo(want.toByteArray());
  }

  @Test
  void theLongerOfTwoOverlappingSecretsWins() {
    Secrets s = new Secrets();
    s.add("abc");
    s.add("abcdef");
    byte[] all = utf8("abcdef abc abcd");
    for (int cut = 0; cut <= all.length; cut++) {
      assertThat(new String(feed(new SecretMasker(s), all, cut), StandardCharsets.UTF_8))
          .isEqualTo("****** ****** ******d");
    }
  }

  @Test
  void onlyAPossibleSecretPrefixIsHeldBackAndTheEndReleasesIt() {
    Secrets s = new Secrets();
    s.add("secret");
    SecretMasker m = new SecretMasker(s);
    assertThat(m.mask(utf8("prompt: se"))).isEqualTo(utf8("prompt: "));
    assertThat(m.held()).isEqualTo(2);
    assertThat(m.mask(utf8("a"))).isEqualTo(utf8("sea"));
    assertThat(m.mask(utf8("x sec"))).isEqualTo(utf8("x "));
    assertThat(m.finish()).isEqualTo(utf8("sec"));
    assertThat(m.held()).isZero();
  }

  @Test
  void withoutSecretsTheChunkIsPassedAsIs() {
    SecretMasker m = new SecretMasker(new Secrets());
    byte[] chunk = utf8("anything");
    assertThat(m.mask(chunk)).isSameAs(chunk);
  }

  @Test
  void aSecretAddedMidStreamIsMaskedFromThenOn() {
    Secrets s = new Secrets();
    SecretMasker m = new SecretMasker(s);
    assertThat(m.mask(utf8("pw? "))).isEqualTo(utf8("pw? "));
    s.add("hunter2");
    assertThat(m.mask(utf8("hunt"))).isEmpty();
    assertThat(m.mask(utf8("er2\r\n"))).isEqualTo(utf8("******\r\n"));
  }
}
