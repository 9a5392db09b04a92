package dev.promptly.engine;

import dev.promptly.match.PatternSpec;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** An expect that ended without a match: its time ran out, or the output ended first. */
public final class ExpectException extends RuntimeException {

  /** Why the expect ended. */
  public enum Reason { TIMEOUT, EOF }

  private final Reason reason;
  private final List<PatternSpec> patterns;
  private final Duration elapsed;
  private final Duration timeout;
  private final List<String> lastLines;

  public ExpectException(Reason reason, List<PatternSpec> patterns, Duration elapsed,
                         Duration timeout, List<String> lastLines) {
    this(reason, patterns, elapsed, timeout, lastLines, null);
  }

  /**
   * An expect that ended without a match.
   *
   * @param why more on why, added to the message (a pattern that took too long), or null
   */
  public ExpectException(Reason reason, List<PatternSpec> patterns, Duration elapsed,
                         Duration timeout, List<String> lastLines, String why) {
    super(describe(reason, patterns, elapsed, timeout) + (why == null ? "" : ": " + why), null,
        false, false);
    this.reason = reason;
    this.patterns = List.copyOf(patterns);
    this.elapsed = elapsed;
    this.timeout = timeout;
    this.lastLines = List.copyOf(lastLines);
  }

  private static String describe(Reason reason, List<PatternSpec> patterns, Duration elapsed,
                                 Duration timeout) {
    return describe(reason == Reason.TIMEOUT, patterns.stream().map(PatternSpec::toString)
        .collect(Collectors.joining(" | ")), elapsed, timeout);
  }

  /**
   * The one wording of an expect that ended without a match, for the CLI's reports and the Java
   * API's exceptions alike.
   *
   * @param timedOut the time ran out (else the output ended)
   * @param waited the patterns waited for, as shown
   */
  public static String describe(boolean timedOut, String waited, Duration elapsed,
                                Duration timeout) {
    return timedOut
        ? "timed out after " + Texts.duration(elapsed) + " (limit " + Texts.duration(timeout)
            + ") waiting for " + waited
        : "output ended after " + Texts.duration(elapsed) + " while waiting for " + waited;
  }

  public Reason reason() {
    return reason;
  }

  public List<PatternSpec> patterns() {
    return patterns;
  }

  public Duration elapsed() {
    return elapsed;
  }

  public Duration timeout() {
    return timeout;
  }

  /** The last lines the child wrote (secrets masked, control characters not yet escaped). */
  public List<String> lastLines() {
    return lastLines;
  }
}
