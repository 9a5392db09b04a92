package dev.promptly.match;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The expecter: holds the unmatched output of one stream and finds the branches of the current
 * step in it. It does no I/O and keeps no clock; it is fed, as pexpect's expecter is: decoded
 * output ({@link #feed}), the end of output ({@link #eof}) and the step's time limit running out
 * ({@link #timeout}). Not thread-safe: use it from one thread (the session's context).
 *
 * <p>Rules (SPEC "Matching rules"): the match that starts earliest in the unmatched output wins;
 * at the same start the branch listed first wins. A match consumes the output up to its end and
 * ends the step: the branches are cleared, so output fed before the next {@link #expect} is only
 * buffered. Text after the match stays for the next step.
 *
 * <p>Bounded work and memory: a literal is searched only in new text plus an overlap of its length
 * minus one; a regex only in the last {@code window} chars of unmatched text, and never again
 * before a per-branch safe start (positions where an attempt failed without reading to the end of
 * the text cannot match later). At most about {@code 2 * window} chars (plus the last chunk) are
 * kept; older unmatched text is dropped, and {@link MatchResult#before()} is at most
 * {@code window} chars.
 *
 * <p>Offsets ({@link MatchResult#start()}, {@link #position()}, {@link #received()}) count chars
 * of decoded output since the stream began.
 */
public final class PromptMatcher {

  /** Default window, in chars. */
  public static final int DEFAULT_WINDOW = 64 * 1024;

  /**
   * Literals longer than this are searched with Knuth-Morris-Pratt, whose state carries over
   * from one feed to the next (each char looked at once); shorter ones with the JDK's indexOf,
   * faster in practice and at most this many compares per char.
   */
  static final int LONG_LITERAL = 64;

  /** How many chars a regex reads between two looks at the clock when a search is limited. */
  private static final int CHECK_EVERY = 4096;

  /**
   * Thrown out of a search that ran past the limit set by {@link #limit}. The matcher stays
   * consistent: what was fed is kept, and {@link #search()} may be called again (with a longer
   * limit, on another thread) to finish the job.
   */
  public static final class TooSlow extends RuntimeException {
    private final int branch;

    TooSlow(int branch) {
      super("the search ran past its limit", null, false, false);
      this.branch = branch;
    }

    /** Index of the branch whose search was cut, or -1. */
    public int branch() {
      return branch;
    }
  }

  private final int window;
  // buf[0..head) is consumed text awaiting compaction; buf[head..] is the unmatched output.
  private final StringBuilder buf = new StringBuilder();
  private final Unmatched unmatched = new Unmatched();
  private long base;
  /** Absolute offset where the last match's consumption ended: unmatched text starts there. */
  private long consumedTo;
  private int head;
  // Unmatched chars kept when compacting: the window, or more for a literal longer than it.
  private int keep;
  private boolean eof;
  private List<PatternSpec> branches = List.of();
  private Searcher[] searchers = new Searcher[0];
  // Chars handed to the searchers: lets tests prove nothing is rescanned.
  private long examined;
  // A limit on regex work (see limit()): read by the unmatched text's charAt.
  private boolean limited;
  private long deadline;
  private java.util.function.BooleanSupplier cancelled = () -> false;
  private int countdown;
  private int searching = -1;

  /** A matcher with a window of {@link #DEFAULT_WINDOW} chars. */
  public PromptMatcher() {
    this(DEFAULT_WINDOW);
  }

  /** A matcher whose regex branches see at most the last {@code window} chars of output. */
  public PromptMatcher(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1 char, got " + window);
    }
    this.window = window;
    this.keep = window;
  }

  /**
   * Sets the branches of the current step, in their listed order (branch indexes in results refer
   * to it). Unmatched text already buffered stays and is searched by {@link #search()}; an empty
   * list means no step is waiting.
   */
  public void expect(List<PatternSpec> branches) {
    this.branches = List.copyOf(branches);
    searchers = new Searcher[this.branches.size()];
    keep = window;
    for (int i = 0; i < searchers.length; i++) {
      PatternSpec spec = this.branches.get(i);
      if (spec instanceof PatternSpec.Literal literal) {
        searchers[i] = literal.text().length() > LONG_LITERAL
            ? new LongLiteralSearcher(literal.text()) : new LiteralSearcher(literal.text());
        keep = Math.max(keep, literal.text().length());
      } else if (spec instanceof PatternSpec.Regex regex) {
        searchers[i] = new RegexSearcher(regex.pattern());
      }
    }
  }

  /**
   * Searches what is buffered with the current branches; call it right after {@link #expect}. After
   * {@link #eof()}, an {@link PatternSpec.Eof} branch matches when no text branch does.
   */
  public Optional<MatchResult> search() {
    if (branches.isEmpty()) {
      return Optional.empty();
    }
    Optional<MatchResult> found = searchText();
    return found.isPresent() || !eof ? found : matchEof();
  }

  /**
   * Appends newly decoded output and searches it. With no branches set (between steps) the text is
   * only buffered.
   *
   * @throws IllegalStateException after {@link #eof()}
   */
  public Optional<MatchResult> feed(CharSequence text) {
    if (eof) {
      throw new IllegalStateException("output was fed after its end");
    }
    buf.append(text);
    // Search before compacting: a chunk longer than the window is still searched whole by literals.
    Optional<MatchResult> found = branches.isEmpty() ? Optional.empty() : searchText();
    compact();
    return found;
  }

  /**
   * The output has ended. Text branches are searched first; if none matches, the first listed
   * {@link PatternSpec.Eof} branch matches, consuming all unmatched text ({@code before}), with an
   * empty {@code text} and {@code start == end == received()}. The end stays known: a later
   * {@link #expect} with an eof branch matches on {@link #search()}.
   */
  public Optional<MatchResult> eof() {
    eof = true;
    return search();
  }

  /**
   * The current step's time limit ran out: the first listed {@link PatternSpec.Timeout} branch
   * matches, with {@code before} the unmatched text, an empty {@code text} and
   * {@code start == end == received()}. Unlike other matches it consumes nothing: the output seen
   * so far stays matchable by the next step. Empty (and the step left as it is) with no timeout
   * branch.
   */
  public Optional<MatchResult> timeout() {
    int branch = indexOf(PatternSpec.Timeout.class);
    if (branch < 0) {
      return Optional.empty();
    }
    long at = received();
    MatchResult result = cut(new MatchResult(branch, tail(unmatched.length()), "", at, at,
        Map.of()));
    endStep();
    return Optional.of(result);
  }

  /**
   * Limits the regex work of the calls that follow: a search still running at
   * {@code deadlineNanos} (on {@link System#nanoTime()}'s clock), or once {@code cancelled} says
   * so, throws {@link TooSlow}. A catastrophic pattern then costs bounded time, never a blocked
   * thread. Literals need no limit: their search is linear.
   */
  public void limit(long deadlineNanos, java.util.function.BooleanSupplier cancelled) {
    this.limited = true;
    this.deadline = deadlineNanos;
    this.cancelled = cancelled;
    this.countdown = CHECK_EVERY;
  }

  /** Lifts the limit of {@link #limit}. */
  public void unlimited() {
    limited = false;
  }

  private void checkLimit() {
    countdown = CHECK_EVERY;
    if (cancelled.getAsBoolean() || System.nanoTime() - deadline > 0) {
      throw new TooSlow(searching);
    }
  }

  /** True once {@link #eof()} was called. */
  public boolean isEof() {
    return eof;
  }

  /** The branches of the current step; empty between steps. */
  public List<PatternSpec> branches() {
    return branches;
  }

  /** The window, in chars. */
  public int window() {
    return window;
  }

  /** Offset of the first unmatched char: chars consumed by matches or dropped from the window. */
  public long position() {
    return base + head;
  }

  /** Total chars fed since the stream began. */
  public long received() {
    return base + buf.length();
  }

  /** The buffered unmatched text (at most about {@code 2 * window} chars plus the last chunk). */
  public String unmatched() {
    return unmatched.toString();
  }

  /** Chars handed to searchers so far. */
  long examined() {
    return examined;
  }

  /** Chars held in memory, consumed or not. */
  int buffered() {
    return buf.length();
  }

  private Optional<MatchResult> searchText() {
    int best = -1;
    int bestStart = Integer.MAX_VALUE;
    for (int i = 0; i < searchers.length; i++) {
      Searcher s = searchers[i];
      // Strictly earlier only: at the same start the branch listed first keeps the win.
      searching = i;
      if (s != null && s.find() && s.start() < bestStart) {
        best = i;
        bestStart = s.start();
      }
    }
    if (best < 0) {
      return Optional.empty();
    }
    Searcher s = searchers[best];
    int end = s.end();
    MatchResult result = cut(new MatchResult(best, tail(bestStart),
        unmatched.subSequence(bestStart, end).toString(), position() + bestStart,
        position() + end, s.groups()));
    consumedTo = result.end();
    head += end;
    endStep();
    return Optional.of(result);
  }

  private Optional<MatchResult> matchEof() {
    int branch = indexOf(PatternSpec.Eof.class);
    if (branch < 0) {
      return Optional.empty();
    }
    long at = received();
    MatchResult result = cut(new MatchResult(branch, tail(unmatched.length()), "", at, at,
        Map.of()));
    consumedTo = at;
    head = buf.length();
    endStep();
    return Optional.of(result);
  }

  private int indexOf(Class<? extends PatternSpec> kind) {
    for (int i = 0; i < branches.size(); i++) {
      if (kind.isInstance(branches.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * {@code r}, marked when its {@code before} lost its beginning: more unmatched text came
   * between the previous match and this one than the window keeps.
   */
  private MatchResult cut(MatchResult r) {
    return r.start() - r.before().length() > consumedTo ? r.withBeforeCut() : r;
  }

  /** The last (at most {@code window}) unmatched chars before {@code end}, relative to head. */
  private String tail(int end) {
    return unmatched.subSequence(Math.max(0, end - window), end).toString();
  }

  private void endStep() {
    branches = List.of();
    searchers = new Searcher[0];
    keep = window;
  }

  private void compact() {
    // Only past twice the kept size, so each compaction moves at most `keep` chars and frees at
    // least as many: O(1) amortised per char even when fed one char at a time.
    if (buf.length() <= 2 * keep) {
      return;
    }
    // Consumed text goes, and unmatched text older than the last `keep` chars is dropped.
    int cut = Math.max(head, buf.length() - keep);
    buf.delete(0, cut);
    base += cut;
    head = 0;
  }

  /** One text branch with its incremental search state. Indexes are relative to head. */
  private interface Searcher {
    boolean find();

    int start();

    int end();

    Map<String, String> groups();
  }

  /** What both literal searchers share: the text, and where the last match starts. */
  private abstract static class Literal implements Searcher {
    final String text;
    int start;

    Literal(String text) {
      this.text = text;
    }

    @Override
    public int start() {
      return start;
    }

    @Override
    public int end() {
      return start + text.length();
    }

    @Override
    public Map<String, String> groups() {
      return Map.of("0", text);
    }
  }

  private final class LiteralSearcher extends Literal {
    // Absolute offset before which this literal cannot start (everything before was searched).
    private long from = position();

    LiteralSearcher(String text) {
      super(text);
    }

    @Override
    public boolean find() {
      int fromIdx = (int) Math.max(from - base, head);
      int length = buf.length();
      examined += Math.max(0, length - fromIdx);
      int at = buf.indexOf(text, fromIdx);
      if (at >= 0) {
        start = at - head;
        return true;
      }
      from = base + Math.max(fromIdx, length - text.length() + 1);
      return false;
    }

  }

  /** Knuth-Morris-Pratt over the buffer, its state kept between feeds: linear in the output. */
  private final class LongLiteralSearcher extends Literal {
    private final int[] fallback;
    // Absolute offset of the next char to read, and how much of the literal ends just before it.
    private long from = position();
    private int matched;

    LongLiteralSearcher(String text) {
      super(text);
      int m = text.length();
      fallback = new int[m];
      for (int i = 1, k = 0; i < m; i++) {
        while (k > 0 && text.charAt(i) != text.charAt(k)) {
          k = fallback[k - 1];
        }
        if (text.charAt(i) == text.charAt(k)) {
          k++;
        }
        fallback[i] = k;
      }
    }

    @Override
    public boolean find() {
      int i = (int) (from - base);
      if (i < head) {
        // Never happens while the step lasts (compaction keeps more than the literal); be safe.
        i = head;
        matched = 0;
      }
      int n = buf.length();
      int m = text.length();
      int k = matched;
      examined += Math.max(0, n - i);
      while (i < n) {
        char c = buf.charAt(i++);
        while (k > 0 && c != text.charAt(k)) {
          k = fallback[k - 1];
        }
        if (c == text.charAt(k) && ++k == m) {
          start = i - m - head;
          from = base + i;
          matched = 0;
          return true;
        }
      }
      from = base + n;
      matched = k;
      return false;
    }

  }

  private final class RegexSearcher implements Searcher {
    private final Matcher m;
    private final List<String> names;
    // Absolute offset before which no match can start, now or with more output.
    private long safe = position();
    // received() at the last search: what came after it is new to this branch.
    private long searchedTo = position();

    RegexSearcher(Pattern pattern) {
      m = pattern.matcher(unmatched);
      // Lookbehind and \b see the text before the searched region; ^ anchors only at the start of
      // the unmatched text, as in Tcl Expect and pexpect.
      m.useTransparentBounds(true);
      m.useAnchoringBounds(false);
      names = groupNames(pattern.pattern());
    }

    @Override
    public boolean find() {
      int length = unmatched.length();
      int q = (int) Math.max(Math.max(safe - position(), 0), length - window);
      long fresh = received() - searchedTo;
      searchedTo = received();
      m.reset(unmatched);
      // Rescanning up to twice the new text keeps the work linear and runs at find() speed; past
      // that (small feeds behind a long unmatched tail) the safe start must move up: probe.
      if (length - q > 2 * fresh) {
        q = probe(q, length);
        if (q < 0) {
          return true;
        }
      }
      examined += length - q;
      m.region(q, length);
      return m.find();
    }

    /**
     * Moves the safe start over dead positions from {@code q}: where an anchored attempt fails
     * without reading to the end of the text, no output to come can make it match. (A failed
     * find() cannot tell: it always reports hitEnd(), its scan loop reaching the end.) Returns the
     * first position still alive, or -1 with the matcher on a match found on the way.
     */
    private int probe(int q, int length) {
      while (q < length) {
        examined++;
        m.region(q, length);
        if (m.lookingAt()) {
          safe = position() + q;
          return -1;
        }
        if (m.hitEnd()) {
          break;
        }
        q++;
      }
      safe = position() + q;
      return q;
    }

    @Override
    public int start() {
      return m.start();
    }

    @Override
    public int end() {
      return m.end();
    }

    @Override
    public Map<String, String> groups() {
      Map<String, String> groups = new HashMap<>();
      for (int i = 0; i <= m.groupCount(); i++) {
        String g = m.group(i);
        if (g != null) {
          groups.put(Integer.toString(i), g);
        }
      }
      for (String name : names) {
        try {
          String g = m.group(name);
          if (g != null) {
            groups.put(name, g);
          }
        } catch (IllegalArgumentException notAGroup) {
          // A "(?<name>" the scan found in a comment or quoted text.
        }
      }
      return groups;
    }
  }

  /**
   * Names of the named groups of a regex, in order. Java 17 has no public way to list them, so the
   * source is scanned for {@code (?<name>} outside escapes, quotes and character classes; a false
   * hit is harmless (it is checked against the matcher).
   */
  public static List<String> groupNames(String regex) {
    List<String> names = new ArrayList<>();
    int n = regex.length();
    int classDepth = 0;
    for (int i = 0; i < n; i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        if (i + 1 < n && regex.charAt(i + 1) == 'Q') {
          int e = regex.indexOf("\\E", i + 2);
          if (e < 0) {
            break;
          }
          i = e + 1;
        } else {
          i++;
        }
      } else if (classDepth > 0) {
        if (c == '[') {
          classDepth++;
        } else if (c == ']') {
          classDepth--;
        }
      } else if (c == '[') {
        classDepth = 1;
      } else if (c == '(' && regex.startsWith("?<", i + 1) && i + 3 < n
          && isAsciiLetter(regex.charAt(i + 3))) {
        int j = i + 3;
        while (j < n && (isAsciiLetter(regex.charAt(j)) || isAsciiDigit(regex.charAt(j)))) {
          j++;
        }
        String name = regex.substring(i + 3, j);
        if (j < n && regex.charAt(j) == '>' && !names.contains(name)) {
          names.add(name);
        }
        i = j;
      }
    }
    return List.copyOf(names);
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The unmatched text as a view on the buffer: regexes run on it without copying. */
  private final class Unmatched implements CharSequence {
    @Override
    public int length() {
      return buf.length() - head;
    }

    @Override
    public char charAt(int index) {
      if (limited && --countdown < 0) {
        checkLimit();
      }
      return buf.charAt(head + index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      Objects.checkFromToIndex(start, end, length());
      return buf.substring(head + start, head + end);
    }

    @Override
    public String toString() {
      return buf.substring(head);
    }
  }
}
