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

  /** Runs of white space (new lines included) become one space: messages are one line. */
  static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s+", " ");
  }
}
