package dev.promptly.report;

import java.util.Map;
import org.apache.commons.text.translate.AggregateTranslator;
import org.apache.commons.text.translate.CharSequenceTranslator;
import org.apache.commons.text.translate.JavaUnicodeEscaper;
import org.apache.commons.text.translate.LookupTranslator;

/**
 * Control characters as visible escapes, for everything a person reads (failure messages,
 * timelines, JUnit XML, which cannot hold most control characters at all).
 */
public final class Visible {
  // Control characters become visible escapes; everything printable (Cyrillic too) stays as is.
  private static final CharSequenceTranslator CONTROLS = new AggregateTranslator(
      new LookupTranslator(Map.of("\r", "\\r", "\n", "\\n", "\t", "\\t", "\u001b", "\\e",
          "\b", "\\b", "\u0007", "\\a", "\u007f", "\\x7f", "\\", "\\\\")),
      JavaUnicodeEscaper.between(0, 0x1f),
      // Not characters in XML 1.0 (and never printable): U+FFFE, U+FFFF.
      JavaUnicodeEscaper.between(0xfffe, 0xffff));

  private Visible() {
  }

  /** Shows control characters as escapes ({@code \r}, {@code \e}, {@code \u0004}). */
  public static String escape(String text) {
    if (text == null) {
      return null;
    }
    String s = CONTROLS.translate(text);
    // A lone surrogate (a string cut between a pair) is no character either.
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean lone = Character.isHighSurrogate(c)
          ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
          : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
      if (lone && sb == null) {
        sb = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (sb != null) {
        sb.append(lone ? '\ufffd' : c);
      }
    }
    return sb == null ? s : sb.toString();
  }
}
