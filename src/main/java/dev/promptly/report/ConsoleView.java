package dev.promptly.report;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live view. Every line a child writes goes to {@code out}, prefixed with its run's name
 * ({@code [echo] ...}), in a colour per run on a terminal. A line is printed whole under one lock,
 * so lines of different children never interleave mid-line. A prompt without a newline is shown
 * when input is sent after it (with what was sent, as a terminal would show it) or when the output
 * ends. Progress (one line per finished run) goes to {@code err}; on a terminal a status line
 * (running, passed, failed, total, elapsed) stays at the bottom of {@code err} and is cleared
 * before anything else is printed, so it never tears the live output.
 */
public final class ConsoleView implements RunObserver {
  private static final int LONGEST_HELD_LINE = 8192;
  private static final String RESET = "\u001b[0m";
  private static final String[] COLOURS = {
    "\u001b[36m", "\u001b[33m", "\u001b[35m", "\u001b[32m", "\u001b[34m", "\u001b[96m",
    "\u001b[93m", "\u001b[95m", "\u001b[92m", "\u001b[94m"
  };
  private static final String GREEN = "\u001b[32m";
  private static final String RED = "\u001b[31m";
  private static final String CLEAR_LINE = "\r\u001b[K";

  /**
   * How the view looks.
   *
   * @param output show the children's output (false: {@code --quiet})
   * @param colour colour run names and outcomes (a terminal, and NO_COLOR not set)
   * @param statusLine keep a status line at the bottom of err (err is a terminal, not CI)
   */
  public record Style(boolean output, boolean colour, boolean statusLine) {
    /** Plain lines: what CI and pipes get. */
    public static Style plain(boolean output) {
      return new Style(output, false, false);
    }
  }

  private final PrintWriter out;
  private final PrintWriter err;
  private final Style style;
  private final Object lock = new Object();
  private final Map<String, StringBuilder> partial = new ConcurrentHashMap<>();
  private final Map<String, String> colours = new ConcurrentHashMap<>();
  private final Set<String> quiet = ConcurrentHashMap.newKeySet();
  private final Set<String> live = ConcurrentHashMap.newKeySet();
  private final AtomicInteger passed = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final long startNanos = System.nanoTime();
  private volatile int total;
  private boolean statusShown;

  public ConsoleView(PrintWriter out, PrintWriter err, Style style) {
    this.out = out;
    this.err = err;
    this.style = style;
  }

  /** How many runs are planned, for the status line. */
  public void setTotal(int total) {
    this.total = total;
  }

  @Override
  public void started(RunInfo run) {
    if (run.quiet()) {
      this.quiet.add(run.name());
    }
    live.add(run.name());
    if (style.colour()) {
      colours.computeIfAbsent(run.name(), k -> COLOURS[colours.size() % COLOURS.length]);
    }
    refreshStatus();
  }

  @Override
  public void output(String run, byte[] raw, String text) {
    if (style.output() && !quiet.contains(run)) {
      append(run, text);
    }
  }

  @Override
  public void sent(String run, String shown, boolean echoedByTerminal) {
    if (style.output() && !echoedByTerminal && !quiet.contains(run)) {
      append(run, shown);
    }
  }

  @Override
  public void outputEnded(String run) {
    flush(run);
  }

  @Override
  public void finished(RunResult r) {
    flush(r.name());
    partial.remove(r.name());
    quiet.remove(r.name());
    live.remove(r.name());
    (r.passed() ? passed : failed).incrementAndGet();
    String line = progressLine(r);
    synchronized (lock) {
      clearStatus();
      err.println(line);
      err.flush();
      drawStatus();
    }
    colours.remove(r.name());
  }

  /** Removes the status line for good (before the summary is printed). */
  public void close() {
    synchronized (lock) {
      clearStatus();
    }
  }

  /** "PASS name  1.23s  exit 0", coloured on a terminal. */
  public String progressLine(RunResult r) {
    String word = r.passed() ? "PASS" : "FAIL";
    if (style.colour()) {
      word = (r.passed() ? GREEN : RED) + word + RESET;
    }
    return String.format(Locale.ROOT, "%s %s  %.2fs  %s", word, r.name(),
        r.elapsed().toNanos() / 1e9, r.exitText());
  }

  private void append(String run, String text) {
    if (text.isEmpty()) {
      return;
    }
    StringBuilder line = partial.computeIfAbsent(run, k -> new StringBuilder());
    StringBuilder batch = null;
    synchronized (line) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '\n') {
          batch = emit(run, line, batch);
        } else {
          line.append(c);
          if (line.length() >= LONGEST_HELD_LINE) {
            batch = emit(run, line, batch);
          }
        }
      }
    }
    if (batch != null) {
      print(batch);
    }
  }

  private StringBuilder emit(String run, StringBuilder line, StringBuilder batch) {
    StringBuilder b = batch == null ? new StringBuilder() : batch;
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      end--;
    }
    String colour = style.colour() ? colours.get(run) : null;
    if (colour != null) {
      b.append(colour).append('[').append(run).append(']').append(RESET).append(' ');
    } else {
      b.append('[').append(run).append("] ");
    }
    b.append(line, 0, end).append('\n');
    line.setLength(0);
    return b;
  }

  private void flush(String run) {
    StringBuilder line = partial.get(run);
    if (line == null) {
      return;
    }
    StringBuilder b = null;
    synchronized (line) {
      if (line.length() > 0) {
        b = emit(run, line, null);
      }
    }
    if (b != null) {
      print(b);
    }
  }

  private void print(CharSequence lines) {
    synchronized (lock) {
      clearStatus();
      out.print(lines);
      out.flush();
      drawStatus();
    }
  }

  private void refreshStatus() {
    if (style.statusLine()) {
      synchronized (lock) {
        drawStatus();
      }
    }
  }

  /** Whether this view keeps a status line (then call {@link #tick} now and then). */
  public boolean statusShown() {
    return style.statusLine();
  }

  /** Redraws the status line (elapsed time moves on); call now and then. */
  public void tick() {
    refreshStatus();
  }

  private void clearStatus() {
    if (statusShown) {
      err.print(CLEAR_LINE);
      err.flush();
      statusShown = false;
    }
  }

  private void drawStatus() {
    if (!style.statusLine()) {
      return;
    }
    String text = String.format(Locale.ROOT,
        "running %d | passed %d | failed %d | total %d | %.1fs", live.size(),
        passed.get(), failed.get(), total, (System.nanoTime() - startNanos) / 1e9);
    err.print(CLEAR_LINE + text);
    err.flush();
    statusShown = true;
  }
}
