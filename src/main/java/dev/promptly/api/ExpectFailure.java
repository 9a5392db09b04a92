package dev.promptly.api;

import dev.promptly.engine.ExpectException;
import dev.promptly.engine.Texts;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An expect that ended without a match: its time ran out (and {@link Pattern#timeout()} was not
 * listed), or the child's output ended (and {@link Pattern#eof()} was not listed). The message
 * reads as the command line's: the session, the patterns waited for, the time against the
 * limit, and the last lines received with control characters escaped:
 *
 * <pre>
 * python3: timed out after 1.0s (limit 1s) waiting for "Name: " | regex /\d+/
 * last lines received:
 *   | Welcome\r
 *   | Login:
 * </pre>
 */
public final class ExpectFailure extends PromptlyException {
  private static final long serialVersionUID = 1L;

  /** Why the expect ended. */
  public enum Reason {
    /** The time limit ran out. */
    TIMEOUT,
    /** The child's output ended first. */
    EOF
  }

  private final transient String session;
  private final transient Reason reason;
  private final transient List<Pattern> patterns;
  private final transient Duration elapsed;
  private final transient Duration timeout;
  private final transient List<String> lastLines;

  ExpectFailure(String session, Reason reason, List<Pattern> patterns, Duration elapsed,
                Duration timeout, List<String> lastLines) {
    super(describe(session, reason, patterns, elapsed, timeout, lastLines));
    this.session = session;
    this.reason = reason;
    this.patterns = List.copyOf(patterns);
    this.elapsed = elapsed;
    this.timeout = timeout;
    this.lastLines = List.copyOf(lastLines);
  }

  private static String describe(String session, Reason reason, List<Pattern> patterns,
                                 Duration elapsed, Duration timeout, List<String> lastLines) {
    String waited = patterns.stream().map(Pattern::toString).collect(Collectors.joining(" | "));
    String what = ExpectException.describe(reason == Reason.TIMEOUT, waited, elapsed, timeout);
    return session + ": " + what + "\n" + Texts.lastLines(lastLines);
  }

  /** The same failure, thrown again from the caller's thread (for a useful stack trace). */
  ExpectFailure rethrown() {
    return new ExpectFailure(session, reason, patterns, elapsed, timeout, lastLines);
  }

  /**
   * The name of the session that waited.
   *
   * @return the session's name
   */
  public String session() {
    return session;
  }

  /**
   * Why the expect ended.
   *
   * @return timeout or end of output
   */
  public Reason reason() {
    return reason;
  }

  /**
   * The patterns that were waited for, in order.
   *
   * @return the patterns
   */
  public List<Pattern> patterns() {
    return patterns;
  }

  /**
   * How long the expect waited.
   *
   * @return the time waited
   */
  public Duration elapsed() {
    return elapsed;
  }

  /**
   * The expect's time limit.
   *
   * @return the limit
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * The last lines the child wrote, as received (control characters not escaped).
   *
   * @return at most the last 20 lines
   */
  public List<String> lastLines() {
    return lastLines;
  }
}
