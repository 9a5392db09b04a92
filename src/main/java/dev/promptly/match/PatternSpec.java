package dev.promptly.match;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one branch of an expect step waits for. Pure data: no I/O. {@link Eof} and {@link Timeout}
 * are pseudo-patterns (pexpect's EOF and TIMEOUT): listed, they are ordinary branches.
 */
public sealed interface PatternSpec {

  /** Literal text, no wildcards. */
  record Literal(String text) implements PatternSpec {
    public Literal {
      Objects.requireNonNull(text);
      if (text.isEmpty()) {
        throw new IllegalArgumentException("an empty literal matches nothing useful");
      }
    }

    @Override
    public String toString() {
      return '"' + text + '"';
    }
  }

  /**
   * A compiled Java regular expression; DOTALL is on unless the source says {@code (?-s)}.
   *
   * @param pattern what is searched
   * @param shown the source as messages show it: values of secret variables substituted into a
   *     regex are quoted, which splits a value holding {@code \E}, so messages never show the
   *     compiled source but this one (secrets masked before quoting)
   */
  record Regex(Pattern pattern, String shown) implements PatternSpec {
    public Regex(Pattern pattern) {
      this(pattern, pattern.pattern());
    }

    public static Regex of(String source) {
      return new Regex(Pattern.compile(source, Pattern.DOTALL));
    }

    /** A regex whose messages show {@code shown} instead of its source. */
    public static Regex of(String source, String shown) {
      return new Regex(Pattern.compile(source, Pattern.DOTALL), shown);
    }

    @Override
    public String toString() {
      return "regex /" + shown + "/";
    }
  }

  /** Matches once the child's output has ended and everything before it was searched. */
  record Eof() implements PatternSpec {
    @Override
    public String toString() {
      return "eof";
    }
  }

  /** Matches when the step's time limit runs out. */
  record Timeout() implements PatternSpec {
    @Override
    public String toString() {
      return "timeout";
    }
  }
}
