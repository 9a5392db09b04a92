package dev.promptly.engine;

import dev.promptly.report.Visible;
import java.time.Duration;
import java.util.List;

/** Small text helpers for messages a user reads. */
public final class Texts {
  private Texts() {
  }

  /** Shows control characters as escapes (\r, \e, \u0004). */
  public static String visible(String text) {
    return Visible.escape(text);
  }

  /** "1.5s", "250ms", "2m". */
  public static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
  }

  /** The last lines, indented and escaped, for a failure message. */
  public static String lastLines(List<String> lines) {
    if (lines.isEmpty()) {
      return "no output was received";
    }
    StringBuilder sb = new StringBuilder("last lines received:");
    for (String line : lines) {
      sb.append("\n  | ").append(visible(line));
    }
    return sb.toString();
  }
}
