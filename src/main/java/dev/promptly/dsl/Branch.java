package dev.promptly.dsl;

import java.util.List;

/**
 * One branch of an expect step.
 *
 * @param pattern what it waits for
 * @param send what to send after the match, or null
 * @param again after the match (and send), run the same step afresh (Tcl's exp_continue)
 * @param fail non-null: a match of this branch fails the run with this text
 * @param steps played after the match (and the send), before the dialogue goes on; a failure
 *     among them fails the enclosing step
 * @param when the branch is waited for only while this holds (tested at each pass of its
 *     step); null: always
 * @param pos where the branch stands in its file
 */
public record Branch(Pattern pattern, Step.Send.Text send, boolean again, String fail,
                     List<Step> steps, Condition when, SourcePos pos) {
  public Branch {
    steps = List.copyOf(steps);
  }

  /** A branch without steps of its own. */
  public Branch(Pattern pattern, Step.Send.Text send, boolean again, String fail,
                SourcePos pos) {
    this(pattern, send, again, fail, List.of(), null, pos);
  }

  /** A pattern as written: strings may still hold ${...}. */
  public sealed interface Pattern {
    /** Literal text. */
    record Literal(String text) implements Pattern {
    }

    /** Java regex source; named groups become variables. */
    record Regex(String source) implements Pattern {
    }

    /**
     * What the terminal shows (pty only): {@code text} anywhere on the rendered screen, or with
     * {@code regex} a Java regex searched over the screen's rows as lines.
     */
    record Screen(String text, boolean regex) implements Pattern {
    }

    /** End of output. */
    record Eof() implements Pattern {
    }

    /** The step's time limit ran out. */
    record Timeout() implements Pattern {
    }
  }
}
