package dev.promptly.match;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The last lines of output, for failure reports ("what arrived last"), fed incrementally and
 * bounded in lines and in chars. A line longer than the cap keeps its end (where a prompt is),
 * marked by a leading {@code "…"}. Line breaks: {@code \n}, {@code \r\n}, and a lone {@code \r}
 * (progress bars redraw with it); a run of {@code \r} before a {@code \n} ({@code \r\r\n}, what a pty
 * makes of a program's {@code \r\n}) is one break. A line ended by a lone {@code \r} keeps it at its
 * end, so reports show the redraw. Not thread-safe.
 */
public final class LineTail {

  /** Default number of lines kept. */
  public static final int DEFAULT_LINES = 20;
  /** Default cap on the chars of one line. */
  public static final int DEFAULT_LINE_CHARS = 500;

  private static final String CUT_MARK = "…";

  private final int maxLines;
  private final int maxLineChars;
  private final ArrayDeque<String> complete = new ArrayDeque<>();
  private final StringBuilder current = new StringBuilder();
  private boolean currentCut;
  // A line just ended at '\r': a '\n' (or more '\r') right after it is part of the same break.
  private boolean afterCr;

  /** Keeps {@link #DEFAULT_LINES} lines of at most {@link #DEFAULT_LINE_CHARS} chars. */
  public LineTail() {
    this(DEFAULT_LINES, DEFAULT_LINE_CHARS);
  }

  /** Keeps {@code maxLines} lines of at most {@code maxLineChars} chars each (plus the mark). */
  public LineTail(int maxLines, int maxLineChars) {
    if (maxLines < 1 || maxLineChars < 1) {
      throw new IllegalArgumentException(
          "need at least one line of one char, got " + maxLines + " x " + maxLineChars);
    }
    this.maxLines = maxLines;
    this.maxLineChars = maxLineChars;
  }

  /** Adds output text. */
  public void append(CharSequence s) {
    int n = s.length();
    int i = skipOlderLines(s);
    while (i < n) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n') {
        if (!afterCr) {
          endLine();
        }
        afterCr = c == '\r';
        i++;
        continue;
      }
      if (afterCr && !complete.isEmpty()) {
        // A lone '\r' (a redraw, not a line end): the line it ended keeps it, so a report
        // shows "10%\r" rather than hiding that the program went back over its line.
        complete.addLast(complete.removeLast() + "\r");
      }
      afterCr = false;
      // Copy the run up to the next break in one go.
      int j = i;
      while (j < n && s.charAt(j) != '\r' && s.charAt(j) != '\n') {
        j++;
      }
      current.append(s, i, j);
      // Trim only past twice the cap, so a long line costs O(1) amortised per char.
      if (current.length() > 2 * maxLineChars) {
        current.delete(0, current.length() - maxLineChars);
        currentCut = true;
      }
      i = j;
    }
  }

  /**
   * The last lines, oldest first, without their line breaks; the last one is the line still open
   * (a prompt without newline), if it has any text.
   */
  public List<String> lines() {
    List<String> result = new ArrayList<>(maxLines);
    boolean partial = current.length() > 0;
    int skip = complete.size() - (partial ? maxLines - 1 : maxLines);
    for (String line : complete) {
      if (skip-- <= 0) {
        result.add(line);
      }
    }
    if (partial) {
      result.add(capped());
    }
    return Collections.unmodifiableList(result);
  }

  /**
   * Where the lines worth keeping start: after the line break that has at least {@code maxLines}
   * more line feeds after it, those lines alone fill the tail, so what comes before (and the
   * tail so far) can be dropped without looking at it. A flood then costs one backward scan of
   * the chunk's end, not a pass over every char.
   */
  private int skipOlderLines(CharSequence s) {
    int feeds = 0;
    for (int k = s.length() - 1; k >= 0; k--) {
      if (s.charAt(k) == '\n' && ++feeds > maxLines) {
        complete.clear();
        current.setLength(0);
        currentCut = false;
        afterCr = false;
        return k + 1;
      }
    }
    return 0;
  }

  /** The last lines joined with {@code \n}. */
  public String text() {
    return String.join("\n", lines());
  }

  private void endLine() {
    complete.addLast(capped());
    if (complete.size() > maxLines) {
      complete.removeFirst();
    }
    current.setLength(0);
    currentCut = false;
  }

  private String capped() {
    int length = current.length();
    if (!currentCut && length <= maxLineChars) {
      return current.toString();
    }
    int from = length - Math.min(length, maxLineChars);
    // Never start on the second half of a surrogate pair.
    if (from < length && Character.isLowSurrogate(current.charAt(from))) {
      from++;
    }
    return CUT_MARK + current.substring(from);
  }
}
