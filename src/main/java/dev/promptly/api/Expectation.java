package dev.promptly.api;

import dev.promptly.dsl.Branch;
import dev.promptly.match.PatternSpec;
import java.util.Objects;
import java.util.regex.PatternSyntaxException;

/**
 * What an expect waits for: literal text, a regular expression, or one of the pseudo-patterns
 * {@link #eof()} and {@link #timeout()} (pexpect's {@code EOF} and {@code TIMEOUT}). Listed, a
 * pseudo-pattern is an ordinary branch; not listed, reaching the end of output or the time limit
 * fails the expect. Immutable.
 *
 * <p>Among the patterns of one expect, the match that starts earliest in the output not yet
 * matched wins; at the same start, the pattern listed first wins. What follows a match stays for
 * the next expect.
 */
public final class Expectation {
  /** The four kinds of pattern. */
  public enum Kind {
    /** Literal text, no wildcards. */
    LITERAL,
    /** A Java regular expression in which {@code .} also matches a newline. */
    REGEX,
    /** The child closed its output and everything before it was searched. */
    EOF,
    /** The expect's time limit ran out. */
    TIMEOUT
  }

  private static final Expectation EOF = new Expectation(Kind.EOF, null, new PatternSpec.Eof());
  private static final Expectation TIMEOUT = new Expectation(Kind.TIMEOUT, null,
      new PatternSpec.Timeout());

  private final Kind kind;
  private final String text;
  private final PatternSpec spec;

  private Expectation(Kind kind, String text, PatternSpec spec) {
    this.kind = kind;
    this.text = text;
    this.spec = spec;
  }

  /**
   * Literal text, matched as is (no wildcards).
   *
   * @param text the text to find; not empty
   * @return the pattern
   * @throws IllegalArgumentException if {@code text} is empty
   */
  public static Expectation literal(String text) {
    Objects.requireNonNull(text, "text");
    return new Expectation(Kind.LITERAL, text, new PatternSpec.Literal(text));
  }

  /**
   * A Java regular expression, compiled with {@code DOTALL} ({@code .} also matches a newline,
   * as in pexpect and Tcl Expect; write {@code (?-s)} to turn that off). Named groups
   * ({@code (?<who>\w+)}) are reported in {@link Match#groups()} and, in a dialogue, become
   * variables for the steps after it.
   *
   * @param source the expression
   * @return the pattern
   * @throws IllegalArgumentException if the expression does not compile
   */
  public static Expectation regex(String source) {
    Objects.requireNonNull(source, "source");
    if (source.isEmpty()) {
      throw new IllegalArgumentException("an empty regex matches nothing useful");
    }
    PatternSpec spec;
    try {
      spec = PatternSpec.Regex.of(source);
    } catch (PatternSyntaxException e) {
      if (!source.contains("${")) {
        throw new IllegalArgumentException("bad regex /" + source + "/: " + e.getDescription(), e);
      }
      // A dialogue substitutes ${...} before compiling; only the session needs it compiled now.
      spec = null;
    }
    return new Expectation(Kind.REGEX, source, spec);
  }

  /**
   * Matches once the child has closed its output and everything before was searched.
   *
   * @return the end-of-output pseudo-pattern
   */
  public static Expectation eof() {
    return EOF;
  }

  /**
   * Matches when the expect's time limit runs out, so that a timeout is a branch, not a failure.
   *
   * @return the timeout pseudo-pattern
   */
  public static Expectation timeout() {
    return TIMEOUT;
  }

  /**
   * Which kind of pattern this is.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * The literal text or the regex source.
   *
   * @return the text, or null for {@link Kind#EOF} and {@link Kind#TIMEOUT}
   */
  public String text() {
    return text;
  }

  PatternSpec spec() {
    if (spec == null) {
      // Only a regex holding ${...} that does not compile as written gets here.
      throw new IllegalArgumentException("bad regex /" + text
          + "/: ${...} is only substituted in dialogues; a session matches the source as is");
    }
    return spec;
  }

  Branch.Pattern toDsl() {
    return switch (kind) {
      case LITERAL -> new Branch.Pattern.Literal(text);
      case REGEX -> new Branch.Pattern.Regex(text);
      case EOF -> new Branch.Pattern.Eof();
      case TIMEOUT -> new Branch.Pattern.Timeout();
    };
  }

  static Expectation of(PatternSpec spec) {
    if (spec instanceof PatternSpec.Literal l) {
      return new Expectation(Kind.LITERAL, l.text(), l);
    }
    if (spec instanceof PatternSpec.Regex r) {
      return new Expectation(Kind.REGEX, r.pattern().pattern(), r);
    }
    return spec instanceof PatternSpec.Eof ? EOF : TIMEOUT;
  }

  /**
   * Equal when of the same kind with the same text.
   *
   * @param o another object
   * @return whether {@code o} is the same pattern
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Expectation p && p.kind == kind && Objects.equals(p.text, text);
  }

  /**
   * A hash consistent with {@link #equals}.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return Objects.hash(kind, text);
  }

  /**
   * The pattern as failure messages show it: {@code "Password:"}, {@code regex /\d+/},
   * {@code eof}, {@code timeout}.
   *
   * @return the display form
   */
  @Override
  public String toString() {
    return switch (kind) {
      case LITERAL -> '"' + text + '"';
      case REGEX -> "regex /" + text + "/";
      case EOF -> "eof";
      case TIMEOUT -> "timeout";
    };
  }

  /** One literal expectation per text, in order (the {@code expectAny} of both facades). */
  static Expectation[] literals(String... texts) {
    Expectation[] patterns = new Expectation[texts.length];
    for (int i = 0; i < texts.length; i++) {
      patterns[i] = literal(texts[i]);
    }
    return patterns;
  }
}
