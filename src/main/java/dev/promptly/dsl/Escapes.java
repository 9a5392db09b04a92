package dev.promptly.dsl;

/**
 * Decodes backslash escapes in text to send, so control characters can be written in any YAML
 * style: {@code \n \r \t \e} (ESC) {@code \a \b \f \v \0 \\ \' \"}, {@code \xHH} (two hex
 * digits), <code>&#92;uHHHH</code> (four hex digits) and {@code \cX} (control-X: {@code \cC} is 3,
 * {@code \c?} is DEL).
 *
 * <p>The loader does not apply it to YAML double-quoted scalars: YAML has already decoded
 * those, and decoding twice would turn a written {@code "\\n"} into a newline.
 */
public final class Escapes {
  private Escapes() {
  }

  /**
   * Decodes the escapes of {@code text}.
   *
   * @throws IllegalArgumentException naming the first invalid escape and its character offset
   */
  public static String decode(String text) {
    if (text.indexOf('\\') < 0) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length());
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (i + 1 >= n) {
        throw new IllegalArgumentException("a lone backslash at the end (write \\\\ for one)");
      }
      char e = text.charAt(++i);
      switch (e) {
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'e' -> b.append('\u001b');
        case 'a' -> b.append('\u0007');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'v' -> b.append('\u000b');
        case '0' -> b.append('\0');
        case '\\', '\'', '"' -> b.append(e);
        case 'x' -> {
          b.append((char) hex(text, i + 1, 2));
          i += 2;
        }
        case 'u' -> {
          b.append((char) hex(text, i + 1, 4));
          i += 4;
        }
        case 'c' -> {
          if (i + 1 >= n) {
            throw new IllegalArgumentException("\\c needs a character after it, as in \\cC");
          }
          char x = Character.toUpperCase(text.charAt(++i));
          if (x == '?') {
            b.append('\u007f');
          } else if (x >= '@' && x <= '_') {
            b.append((char) (x & 0x1f));
          } else {
            throw new IllegalArgumentException("invalid control escape '\\c" + Texts.shorten(
                String.valueOf(text.charAt(i))) + "' (use a letter or one of @[\\]^_?)");
          }
        }
        default -> throw new IllegalArgumentException("invalid escape '\\" + Texts.shorten(
            String.valueOf(e)) + "' at character " + i + " (write \\\\ for a backslash)");
      }
    }
    return b.toString();
  }

  private static int hex(String text, int from, int digits) {
    if (from + digits > text.length()) {
      throw new IllegalArgumentException("escape needs " + digits + " hex digits at character "
          + (from - 1));
    }
    int v = 0;
    for (int k = from; k < from + digits; k++) {
      int d = Character.digit(text.charAt(k), 16);
      if (d < 0) {
        throw new IllegalArgumentException("escape needs " + digits + " hex digits, got '"
            + Texts.shorten(text.substring(from - 2, from + digits)) + "'");
      }
      v = v * 16 + d;
    }
    return v;
  }
}
