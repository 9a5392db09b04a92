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

  /** A compiled Java regular expression; DOTALL is on unless the source says {@code (?-s)}. */
  record Regex(Pattern pattern) implements PatternSpec {
    public static Regex of(String source) {
      return new Regex(Pattern.compile(source, Pattern.DOTALL));
    }

    @Override
    public String toString() {
      return "regex /" + pattern.pattern() + "/";
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
