package dev.promptly.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Masks secrets in a stream of bytes that arrives in arbitrary chunks. Masking works on bytes (each
 * secret UTF-8 encoded), so invalid UTF-8 and binary output pass through byte-exact; only the bytes
 * of a secret become {@link Secrets#MASK}. A chunk that ends with what could be the start of a
 * secret keeps that part back (at most the longest secret's length minus one byte) until the next
 * chunk shows whether it is one, or the output ends. Not thread-safe: one per output stream.
 */
public final class SecretMasker {
  private static final byte[] MASK = Secrets.MASK.getBytes(StandardCharsets.UTF_8);
  private static final byte[] EMPTY = new byte[0];

  private final Secrets secrets;
  private byte[] held = EMPTY;
  private boolean[] first = new boolean[256];
  private int seenVersion = -1;

  public SecretMasker(Secrets secrets) {
    this.secrets = secrets;
  }

  /** The bytes of {@code chunk} (after any held back before) that can be shown, masked. */
  public byte[] mask(byte[] chunk) {
    return run(chunk, false);
  }

  /** The output ended: what was held back, masked where a secret is whole. */
  public byte[] finish() {
    return run(EMPTY, true);
  }

  /** Bytes held back, waiting for the next chunk. */
  public int held() {
    return held.length;
  }

  private byte[] run(byte[] chunk, boolean end) {
    List<byte[]> keys = secrets.encoded();
    if (keys.isEmpty() && held.length == 0) {
      return chunk;
    }
    if (seenVersion != secrets.version()) {
      first = new boolean[256];
      for (byte[] k : keys) {
        first[k[0] & 0xff] = true;
      }
      seenVersion = secrets.version();
    }
    byte[] buf = held.length == 0 ? chunk : concat(held, chunk);
    int n = buf.length;
    ByteArrayOutputStream out = null;
    int copied = 0;
    int i = 0;
    while (i < n) {
      if (!first[buf[i] & 0xff]) {
        i++;
        continue;
      }
      int found = matchAt(buf, i, keys, end);
      if (found < 0) {
        break;
      }
      if (found == 0) {
        i++;
        continue;
      }
      if (out == null) {
        out = new ByteArrayOutputStream(n);
      }
      out.write(buf, copied, i - copied);
      out.write(MASK, 0, MASK.length);
      i += found;
      copied = i;
    }
    held = i < n ? Arrays.copyOfRange(buf, i, n) : EMPTY;
    if (out == null) {
      return i == n ? buf : Arrays.copyOf(buf, i);
    }
    out.write(buf, copied, i - copied);
    return out.toByteArray();
  }

  /**
   * At {@code i}: the length of the longest secret there, 0 for none, -1 when the rest of the
   * buffer is the start of a secret (hold it back, unless the output has ended).
   */
  private static int matchAt(byte[] buf, int i, List<byte[]> keys, boolean end) {
    int rest = buf.length - i;
    for (byte[] k : keys) {
      // Longest first: the first whole match is the longest; a longer partial one comes before.
      if (k.length <= rest) {
        if (Arrays.equals(buf, i, i + k.length, k, 0, k.length)) {
          return k.length;
        }
      } else if (!end && Arrays.equals(buf, i, buf.length, k, 0, rest)) {
        return -1;
      }
    }
    return 0;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
