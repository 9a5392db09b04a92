package dev.promptly.engine;

import dev.promptly.report.Visible;
import java.time.Duration;
import java.util.List;

/** Small text helpers for messages a user reads. */
public final class Messages {
  private Messages() {
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

  /**
   * The one wording of an expect that ended without a match, for the CLI's reports and the Java
   * API's exceptions alike.
   *
   * @param timedOut the time ran out (else the output ended)
   * @param waited the patterns waited for, as shown
   */
  public static String expectFailed(boolean timedOut, String waited, Duration elapsed,
                                    Duration timeout) {
    return timedOut
        ? "timed out after " + duration(elapsed) + " (limit " + duration(timeout)
            + ") waiting for " + waited
        : "output ended after " + duration(elapsed) + " while waiting for " + waited;
  }
}
