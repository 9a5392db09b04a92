package dev.promptly.match;

import java.util.Map;

/**
 * A successful match of one branch.
 *
 * @param branch index of the branch that matched, in the order the branches were given
 * @param before the unmatched text that came before the match (at most the window's size)
 * @param text the matched text (empty for eof and timeout)
 * @param start absolute offset of the match, in chars of the text the matcher was fed since the
 *     stream began: decoded output, after strip-ansi removed escape sequences and, on a pty,
 *     {@code "\r\n"} was normalised to {@code "\n"} (so it is not an offset into the raw bytes)
 * @param end absolute offset just past the match
 * @param groups captured groups: numbered ("0", "1", ...) and named ones; unmatched groups absent
 * @param beforeCut {@code before} lost its beginning: more unmatched text came since the previous
 *     match than the window keeps
 */
public record MatchResult(int branch, String before, String text, long start, long end,
                          Map<String, String> groups, boolean beforeCut) {
  public MatchResult {
    groups = Map.copyOf(groups);
  }

  public MatchResult(int branch, String before, String text, long start, long end,
                     Map<String, String> groups) {
    this(branch, before, text, start, end, groups, false);
  }

  /** This result, with {@link #beforeCut()} set. */
  public MatchResult withBeforeCut() {
    return new MatchResult(branch, before, text, start, end, groups, true);
  }
}
