package dev.promptly.dsl;

/** Small helpers to quote user text in messages without flooding or breaking a terminal. */
final class Texts {
  private static final int MAX = 60;

  private Texts() {
  }

  /** Control characters made visible and long text cut, so a message stays on one short line. */
  static String shorten(String s) {
    StringBuilder b = new StringBuilder();
    int n = 0;
    for (int i = 0; i < s.length() && n < MAX; i++, n++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", (int) c));
          } else if (invisible(c)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    if (s.length() > MAX) {
      b.append("...");
    }
    return b.toString();
  }

  /**
   * Characters a terminal shows as nothing, or that reorder what follows (a byte-order mark,
   * zero-width and bidi controls, C1 controls, line separators): quoted as they stand, a message
   * such as "unknown key 'name' (did you mean 'name'?)" would hide the very difference.
   */
  private static boolean invisible(char c) {
    int type = Character.getType(c);
    return (c >= 0x80 && c < 0xa0) || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }

  /** Runs of white space (new lines included) become one space: messages are one line. */
  static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s+", " ");
  }
}
