package dev.promptly.dsl;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in dialogue files and on the command line: {@code 500ms},
 * {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1h}; a bare number means seconds.
 */
public final class Durations {
  private static final Pattern FORM =
      Pattern.compile("(\\d{1,12}(?:\\.\\d{1,9})?|\\.\\d{1,9})\\s*(ms|s|m|h)?");

  /** The longest duration accepted. */
  public static final Duration MAX = Duration.ofDays(365);

  private Durations() {
  }

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException with a message fit for a user when the text is not a
   *     duration, or is not more than zero
   */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.strip();
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a duration like 500ms, 10s, 1.5s, 2m or 1h, got '" + Texts.shorten(t) + "'");
    }
    String unit = m.group(2) == null ? "s" : m.group(2);
    long nanosPerUnit = switch (unit) {
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    };
    BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
    if (nanos.signum() <= 0) {
      throw new IllegalArgumentException("a duration must be more than 0, got '" + t + "'");
    }
    // Timers work in milliseconds: a shorter limit would silently become 0, so refuse it.
    if (nanos.compareTo(BigDecimal.valueOf(1_000_000L)) < 0) {
      throw new IllegalArgumentException("a duration must be at least 1ms, got '" + t + "'");
    }
    // Timers take milliseconds as a long and add them to the clock: refuse what would overflow
    // (99999999h became a negative limit) rather than wrap around. A year is plenty for a step.
    if (nanos.compareTo(BigDecimal.valueOf(MAX.toNanos())) > 0) {
      throw new IllegalArgumentException("a duration must be at most 365 days, got '"
          + Texts.shorten(t) + "'");
    }
    return Duration.ofNanos(nanos.longValue());
  }
}
