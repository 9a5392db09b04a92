package dev.promptly.api;

import java.util.Map;
import java.util.Objects;

/**
 * A successful expect: which pattern matched, the text before it and the text it matched.
 *
 * @param index the index of the pattern that matched, in the order the patterns were given
 *     (the branch taken)
 * @param pattern the pattern that matched
 * @param before the unmatched output that came before the match (at most the matching window)
 * @param text the matched text (empty for {@link Expectation#eof()} and {@link Expectation#timeout()})
 * @param groups the captured groups of a regex: numbered ({@code "0"}, {@code "1"}, ...) and
 *     named ones; groups that did not take part in the match are absent
 * @param beforeTruncated true when {@code before} is not all the output since the previous
 *     match: more came than the matching window ({@link ChildOptions#setWindow}) keeps, and
 *     {@code before} is its end. Read the whole output with {@link Session#outputHandler} or
 *     {@link Session#output()}.
 */
public record Match(int index, Expectation pattern, String before, String text,
                    Map<String, String> groups, boolean beforeTruncated) {
  /**
   * Checks and copies the components.
   *
   * @param index the branch taken
   * @param pattern the pattern that matched
   * @param before the text before the match
   * @param text the matched text
   * @param groups the captured groups
   * @param beforeTruncated {@code before} lost its beginning to the window
   */
  public Match {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(text, "text");
    groups = Map.copyOf(groups);
  }

  /**
   * A match whose {@code before} is whole.
   *
   * @param index the branch taken
   * @param pattern the pattern that matched
   * @param before the text before the match
   * @param text the matched text
   * @param groups the captured groups
   */
  public Match(int index, Expectation pattern, String before, String text,
               Map<String, String> groups) {
    this(index, pattern, before, text, groups, false);
  }

  /**
   * A numbered group of a regex match; group 0 is the whole match.
   *
   * @param number the group's number
   * @return its text, or null if it did not take part in the match
   */
  public String group(int number) {
    return groups.get(Integer.toString(number));
  }

  /**
   * A named group of a regex match: {@code (?<who>\w+)} gives {@code group("who")}.
   *
   * @param name the group's name
   * @return its text, or null if it did not take part in the match
   */
  public String group(String name) {
    return groups.get(name);
  }
}
