package dev.promptly.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Values that must never be shown: replaced by {@link #MASK} wherever text leaves the engine. */
public final class Secrets {
  public static final String MASK = "******";

  private final List<String> values = new ArrayList<>();

  public void add(String value) {
    if (value != null && !value.isEmpty() && !values.contains(value)) {
      values.add(value);
      // Longest first, so a secret that contains another is masked whole.
      values.sort(Comparator.comparingInt(String::length).reversed());
    }
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** The longest secret's length: how much text a masker must hold back across chunks. */
  public int longest() {
    return values.isEmpty() ? 0 : values.get(0).length();
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
