package dev.promptly.match;

/**
 * Turns every {@code "\r\n"} into {@code "\n"}, incrementally: what a terminal's output processing
 * (ONLCR) does to a program's {@code "\n"} is undone, so a dialogue written against pipes matches
 * the same text on a pseudo-terminal. A lone {@code '\r'} (a progress bar redrawing its line) is
 * kept, and so is the first {@code '\r'} of {@code "\r\r\n"} (what a terminal makes of a program's
 * own {@code "\r\n"}): the result is what the program wrote.
 *
 * <p>A {@code '\r'} that ends a chunk is held back until the next chunk shows whether a
 * {@code '\n'} follows it; {@link #finish()} hands it on at the end of output. Memory is one flag.
 * Not thread-safe.
 */
public final class LineEndings {
  private boolean heldCr;

  /** Returns {@code s} with {@code "\r\n"} as {@code "\n"}, continuing from the previous chunk. */
  public String normalize(CharSequence s) {
    return normalize(s, null);
  }

  /**
   * As {@link #normalize(CharSequence)}, telling {@code dropped} the index, in the text returned,
   * of each {@code '\n'} whose {@code '\r'} was dropped: what maps the text back to the bytes.
   */
  public String normalize(CharSequence s, java.util.function.IntConsumer dropped) {
    int n = s.length();
    // The common chunk has no '\r' and nothing was held: hand it back without copying.
    if (!heldCr && indexOfCr(s) < 0) {
      return s.toString();
    }
    StringBuilder out = new StringBuilder(n + 1);
    int i = 0;
    if (heldCr) {
      heldCr = false;
      if (n == 0) {
        heldCr = true;
        return "";
      }
      if (s.charAt(0) != '\n') {
        out.append('\r');
      } else if (dropped != null) {
        dropped.accept(0);
      }
    }
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c != '\r') {
        out.append(c);
      } else if (i + 1 == n) {
        heldCr = true;
      } else if (s.charAt(i + 1) != '\n') {
        out.append('\r');
      } else if (dropped != null) {
        dropped.accept(out.length());
      }
    }
    return out.toString();
  }

  /** The end of output: a {@code '\r'} still held back, or the empty string. */
  public String finish() {
    if (heldCr) {
      heldCr = false;
      return "\r";
    }
    return "";
  }

  /** True while a chunk's final {@code '\r'} waits for the next chunk. */
  public boolean holding() {
    return heldCr;
  }

  private static int indexOfCr(CharSequence s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) == '\r') {
        return i;
      }
    }
    return -1;
  }
}
