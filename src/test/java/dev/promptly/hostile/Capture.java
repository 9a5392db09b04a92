package dev.promptly.hostile;

import dev.promptly.report.RunObserver;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Everything a run's child wrote, as the observer's raw bytes: the source the transcript is
 * built from. Keeps a SHA-256 and a count of all of it, and the bytes themselves up to a cap.
 * A test compares {@link #transcript()} with what the child is known to write; once transcripts
 * are files, {@link Transcript#of(byte[])} over the file's child-output bytes is the same check.
 */
final class Capture implements RunObserver {
  static final int KEEP = 1 << 20;

  private final MessageDigest sha = newDigest();
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private long length;

  @Override
  public synchronized void output(String run, byte[] raw, String text) {
    sha.update(raw);
    length += raw.length;
    int room = KEEP - kept.size();
    if (room > 0) {
      kept.write(raw, 0, Math.min(room, raw.length));
    }
  }

  /** What was captured: length, SHA-256 and the first {@link #KEEP} bytes. */
  synchronized Transcript transcript() {
    try {
      MessageDigest copy = (MessageDigest) sha.clone();
      return new Transcript(length, HexFormat.of().formatHex(copy.digest()), kept.toByteArray());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The kept bytes as text (UTF-8, bad bytes replaced). */
  synchronized String text() {
    return kept.toString(StandardCharsets.UTF_8);
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Length and SHA-256 of a byte stream, with its first bytes for messages. */
  record Transcript(long length, String sha256, byte[] head) {
    static Transcript of(byte[] bytes) {
      return new Transcript(bytes.length, HexFormat.of().formatHex(newDigest().digest(bytes)),
          java.util.Arrays.copyOf(bytes, Math.min(bytes.length, KEEP)));
    }

    /** Of {@code parts} written one after another, without holding them joined. */
    static Transcript of(byte[]... parts) {
      MessageDigest d = newDigest();
      long n = 0;
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      for (byte[] p : parts) {
        d.update(p);
        n += p.length;
        int room = KEEP - head.size();
        if (room > 0) {
          head.write(p, 0, Math.min(room, p.length));
        }
      }
      return new Transcript(n, HexFormat.of().formatHex(d.digest()), head.toByteArray());
    }

    @Override
    public String toString() {
      return length + " bytes, sha256 " + sha256;
    }
  }
}
