package dev.promptly.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Values that must never be shown: replaced by {@link #MASK} wherever text leaves the engine.
 * Whole strings are masked by {@link #mask}; a stream of output is masked by a
 * {@link SecretMasker}, which also catches a secret split across two reads.
 */
public final class Secrets {
  public static final String MASK = "******";

  private final List<String> values = new ArrayList<>();
  private List<byte[]> encoded = List.of();
  private int version;

  public void add(String value) {
    if (value != null && !value.isEmpty() && !values.contains(value)) {
      values.add(value);
      // Longest first, so a secret that contains another is masked whole.
      values.sort(Comparator.comparingInt(String::length).reversed());
      List<byte[]> bytes = new ArrayList<>();
      for (String v : values) {
        bytes.add(v.getBytes(StandardCharsets.UTF_8));
      }
      bytes.sort(Comparator.comparingInt((byte[] b) -> b.length).reversed());
      encoded = List.copyOf(bytes);
      version++;
    }
  }

  /** The secrets as UTF-8, longest first (output is masked on the byte level). */
  List<byte[]> encoded() {
    return encoded;
  }

  /** Changes whenever a secret is added. */
  int version() {
    return version;
  }

  public String mask(String text) {
    if (values.isEmpty() || text == null) {
      return text;
    }
    String out = text;
    for (String v : values) {
      if (out.contains(v)) {
        out = out.replace(v, MASK);
      }
    }
    return out;
  }
}
