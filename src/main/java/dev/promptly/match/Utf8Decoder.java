package dev.promptly.match;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Incremental UTF-8 decoder for a stream of output chunks. A character split across two chunks is
 * decoded once, whole; malformed input becomes U+FFFD and never throws. Not thread-safe: one per
 * stream, used from one thread (the session's context).
 *
 * <p>For any bytes and any way of cutting them into chunks, the concatenation of every
 * {@link #decode} result and of {@link #finish()} equals {@code new String(bytes, UTF_8)}.
 */
public final class Utf8Decoder {

  // A UTF-8 sequence is at most 4 bytes, so at most 3 can wait for the next chunk.
  private static final int MAX_PENDING = 3;

  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE)
      .onUnmappableCharacter(CodingErrorAction.REPLACE);
  // Holds the incomplete tail in write mode (position = number of pending bytes).
  private final ByteBuffer pending = ByteBuffer.allocate(MAX_PENDING + 1);
  private CharBuffer out = CharBuffer.allocate(1024);

  /**
   * Decodes {@code len} bytes of {@code b} from {@code off}, after any tail kept from the call
   * before, and returns the characters completed so far (possibly empty). An incomplete sequence
   * at the end is kept for the next call.
   */
  public String decode(byte[] b, int off, int len) {
    if (off < 0 || len < 0 || len > b.length - off) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", length " + b.length);
    }
    if (pending.position() == 0) {
      // The usual case: nothing waits from before. The JDK decodes a String from UTF-8 bytes far
      // faster than a CharsetDecoder (an ASCII run is copied as it is, with no char[] between);
      // only an incomplete sequence at the very end is kept for the next call.
      int end = off + len;
      int whole = wholeUpTo(b, off, end);
      pending.put(b, whole, end - whole);
      return whole == off ? "" : new String(b, off, whole - off, StandardCharsets.UTF_8);
    }
    // UTF-8 never yields more chars than bytes (a replacement stands for at least one byte).
    ensureCapacity(len + pending.position());
    out.clear();
    int i = off;
    int end = off + len;
    // Complete the pending sequence one byte at a time: it resolves within 3 more bytes, and what
    // the decoder then takes is exactly what a whole-input decode would take.
    while (pending.position() > 0 && i < end) {
      pending.put(b[i++]);
      pending.flip();
      decodeInto(pending, false);
      pending.compact();
    }
    if (i < end) {
      ByteBuffer in = ByteBuffer.wrap(b, i, end - i);
      decodeInto(in, false);
      // Only an incomplete trailing sequence (at most 3 bytes) is left unconsumed.
      pending.put(in);
    }
    return drain();
  }

  /**
   * The end of the bytes that can be decoded now: before a lead byte in the last four whose
   * sequence is not yet complete, else {@code end}. Bytes held back this way are decoded by the
   * exact, byte-at-a-time path on the next call, so the result never depends on the cut.
   */
  private static int wholeUpTo(byte[] b, int off, int end) {
    for (int k = end - 1; k >= Math.max(off, end - 4); k--) {
      int v = b[k] & 0xff;
      if ((v & 0xc0) != 0x80) {
        int need = v < 0x80 ? 1 : (v & 0xe0) == 0xc0 ? 2 : (v & 0xf0) == 0xe0 ? 3
            : (v & 0xf8) == 0xf0 ? 4 : 1;
        return end - k < need ? k : end;
      }
    }
    return end;
  }

  /** Same as {@code decode(b, 0, b.length)}. */
  public String decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  /**
   * Ends the stream: an incomplete tail becomes U+FFFD. The decoder is then reset and may decode a
   * new stream.
   */
  public String finish() {
    ensureCapacity(pending.position() + 1);
    out.clear();
    pending.flip();
    decodeInto(pending, true);
    CoderResult r = decoder.flush(out);
    assert r.isUnderflow();
    pending.clear();
    decoder.reset();
    return drain();
  }

  /** Number of bytes of an incomplete sequence waiting for the next chunk (0 to 3). */
  public int pendingBytes() {
    return pending.position();
  }

  private void decodeInto(ByteBuffer in, boolean endOfInput) {
    while (true) {
      CoderResult r = decoder.decode(in, out, endOfInput);
      if (r.isUnderflow()) {
        return;
      }
      // Cannot happen by the bound above; grown rather than trusted.
      CharBuffer bigger = CharBuffer.allocate(out.capacity() * 2);
      out.flip();
      bigger.put(out);
      out = bigger;
    }
  }

  private void ensureCapacity(int chars) {
    if (out.capacity() < chars) {
      out = CharBuffer.allocate(Math.max(chars, out.capacity() * 2));
    }
  }

  private String drain() {
    return out.position() == 0 ? "" : new String(out.array(), 0, out.position());
  }
}
