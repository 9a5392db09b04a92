package dev.promptly.api;

import dev.promptly.engine.Messages;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An expect that ended without a match: its time ran out (and {@link Expectation#timeout()} was not
 * listed), or the child's output ended (and {@link Expectation#eof()} was not listed). The message
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
  private final transient List<Expectation> patterns;
  private final transient Duration elapsed;
  private final transient Duration timeout;
  private final transient List<String> lastLines;
  private final transient String why;

  /**
   * A failure as the engine reports it; applications do not normally create one (test doubles
   * may).
   *
   * @param session the session's name
   * @param reason why the expect ended
   * @param patterns what was waited for
   * @param elapsed how long the expect waited
   * @param timeout the expect's limit
   * @param lastLines the last lines the child wrote, as received
   */
  public ExpectFailure(String session, Reason reason, List<Expectation> patterns,
                       Duration elapsed, Duration timeout, List<String> lastLines) {
    this(session, reason, patterns, elapsed, timeout, lastLines, null);
  }

  /**
   * A failure with more on why (a pattern that took too long to search).
   *
   * @param session the session's name
   * @param reason why the expect ended
   * @param patterns what was waited for
   * @param elapsed how long the expect waited
   * @param timeout the expect's limit
   * @param lastLines the last lines the child wrote, as received
   * @param why added to the problem, or null
   */
  public ExpectFailure(String session, Reason reason, List<Expectation> patterns,
                       Duration elapsed, Duration timeout, List<String> lastLines, String why) {
    super(session + ": " + problem(reason, patterns, elapsed, timeout, why) + "\n"
        + Messages.lastLines(lastLines));
    this.why = why;
    this.session = session;
    this.reason = reason;
    this.patterns = List.copyOf(patterns);
    this.elapsed = elapsed;
    this.timeout = timeout;
    this.lastLines = List.copyOf(lastLines);
  }

  private static String problem(Reason reason, List<Expectation> patterns, Duration elapsed,
                                Duration timeout, String why) {
    String waited = patterns.stream().map(Expectation::toString)
        .collect(Collectors.joining(" | "));
    return Messages.expectFailed(reason == Reason.TIMEOUT, waited, elapsed, timeout)
        + (why == null ? "" : ": " + why);
  }

  /**
   * What happened in one line, without the session's name and the last lines: {@code timed out
   * after 1.0s (limit 1s) waiting for "Name: "}.
   *
   * @return the problem
   */
  public String problem() {
    return problem(reason, patterns, elapsed, timeout, why);
  }

  /** The same failure, thrown again from the caller's thread (for a useful stack trace). */
  ExpectFailure rethrown() {
    return new ExpectFailure(session, reason, patterns, elapsed, timeout, lastLines, why);
  }

  /**
   * More on why, when there is more to say (a regex that took too long to search).
   *
   * @return the detail, or null
   */
  public String detail() {
    return why;
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
  public List<Expectation> patterns() {
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
