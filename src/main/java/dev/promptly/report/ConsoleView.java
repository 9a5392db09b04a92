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
 * so lines of different children never interleave mid-line. The child's terminal controls never
 * reach the user's terminal: a carriage return starts the line over (a progress bar shows its last
 * state), a backspace takes back a character, escape sequences (colours, cursor movement, screen
 * clearing, window titles, bracketed-paste markers) and other control characters are dropped, so
 * every line shown starts with its run's prefix. A prompt without a newline is shown when input
 * is sent after it (with what was sent, as a terminal would show it), when the output ends, or
 * after {@link #IDLE_MILLIS} without output (a stuck prompt); then the whole line is shown again
 * on a line of its own once it is complete. Progress (one line per finished run) goes to {@code err}; on a terminal a status line
 * (running, passed, failed, total, elapsed) stays at the bottom of {@code err} and is cleared
 * before anything else is printed, so it never tears the live output.
 */
public final class ConsoleView implements RunObserver {
  private static final int LONGEST_HELD_LINE = 8192;
  /** A partial line (a prompt) unchanged this long is shown as it is. */
  public static final long IDLE_MILLIS = 300;
  private static final long STATUS_MILLIS = 500;
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
  private final Map<String, Line> partial = new ConcurrentHashMap<>();
  private final AtomicInteger nextColour = new AtomicInteger();
  private volatile long statusDrawnNanos;
  private final Map<String, String> colours = new ConcurrentHashMap<>();
  private final Set<String> quiet = ConcurrentHashMap.newKeySet();
  private final Set<String> live = ConcurrentHashMap.newKeySet();
  private final AtomicInteger passed = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final long startNanos = System.nanoTime();
  private volatile int total;
  private volatile int workers = -1;
  private boolean statusShown;
  /** While a run interacts the terminal is the person's: nothing is shown, progress waits. */
  private volatile boolean held;
  private final java.util.List<String> heldProgress = new java.util.ArrayList<>(); // under lock

  public ConsoleView(PrintWriter out, PrintWriter err, Style style) {
    this.out = out;
    this.err = err;
    this.style = style;
  }

  /** How many cluster workers there are, for the status line (run --cluster only). */
  public void setWorkers(int workers) {
    this.workers = workers;
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
      // In turn, so runs started one after another never share a colour.
      colours.computeIfAbsent(run.name(),
          k -> COLOURS[Math.floorMod(nextColour.getAndIncrement(), COLOURS.length)]);
    }
    refreshStatus();
  }

  @Override
  public void interacting(String run, boolean on) {
    synchronized (lock) {
      if (on) {
        clearStatus();
        held = true;
        return;
      }
      held = false;
      heldProgress.forEach(err::println);
      heldProgress.clear();
      err.flush();
      drawStatus();
    }
  }

  @Override
  public void output(String run, byte[] raw, String text) {
    if (held) {
      return;
    }
    if (style.output() && !quiet.contains(run)) {
      append(run, text);
    }
  }

  @Override
  public void sent(String run, String shown, boolean echoedByTerminal) {
    if (held) {
      return;
    }
    if (style.output() && !echoedByTerminal && !quiet.contains(run)) {
      append(run, shown);
    }
  }

  @Override
  public void outputEnded(String run) {
    flush(run);
  }

  /** A {@code log:} line: after what the child wrote so far, marked as the runbook's own. */
  @Override
  public void logged(String run, String text) {
    if (held || !style.output() || quiet.contains(run)) {
      return;
    }
    flush(run);
    for (String l : text.split("\n", -1)) {
      StringBuilder b = new StringBuilder();
      prefix(b, run);
      b.append("-- ").append(Visible.escape(l)).append('\n');
      print(b);
    }
  }

  @Override
  public void finished(RunResult r) {
    flush(r.name());
    partial.remove(r.name());
    quiet.remove(r.name());
    live.remove(r.name());
    (r.passed() ? passed : failed).incrementAndGet();
    String line = progressLine(r);
    colours.remove(r.name());
    synchronized (lock) {
      if (held) {
        heldProgress.add(line);
        return;
      }
      clearStatus();
      err.println(line);
      err.flush();
      drawStatus();
    }
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
    return word + " " + r.name() + "  " + Summary.seconds(r.elapsed().toNanos()) + "s  "
        + r.exitText();
  }

  /** One run's line in the making, and where its terminal controls left off. */
  private static final class Line {
    final StringBuilder text = new StringBuilder();
    /** 0 text, 1 after ESC, 2 CSI, 3 OSC or other string, 4 ESC inside a string, 5 one more. */
    int escape;
    boolean carriageReturn;
    long lastNanos = System.nanoTime();
    /** What was shown of it after an idle time, or null. */
    String shownIdle;
  }

  private void append(String run, String text) {
    if (text.isEmpty()) {
      return;
    }
    Line line = partial.computeIfAbsent(run, k -> new Line());
    StringBuilder batch = null;
    synchronized (line) {
      line.lastNanos = System.nanoTime();
      StringBuilder t = line.text;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        switch (line.escape) {
          case 1 -> line.escape = c == '[' ? 2 : c == ']' || c == 'P' || c == 'X' || c == '^'
              || c == '_' ? 3 : "()*+-./#%".indexOf(c) >= 0 ? 5 : 0;
          case 2 -> line.escape = c >= 0x40 && c <= 0x7e ? 0 : 2;
          case 3 -> line.escape = c == 0x07 ? 0 : c == 0x1b ? 4 : 3;
          case 4 -> line.escape = c == '\\' ? 0 : 3;
          case 5 -> line.escape = 0;
          default -> {
            if (c == '\n') {
              line.carriageReturn = false;
              batch = emit(run, line, batch);
            } else if (c == '\r') {
              line.carriageReturn = true;
            } else if (c == 0x1b) {
              line.escape = 1;
            } else if (c == 0x9b) {
              line.escape = 2;
            } else if (c == '\b') {
              if (t.length() > 0) {
                t.setLength(t.length() - 1);
              }
            } else if (c == '\t' || (c >= 0x20 && c != 0x7f && (c < 0x80 || c > 0x9f))) {
              if (line.carriageReturn) {
                // The terminal went back to the start of the line: what follows overwrites it.
                t.setLength(0);
                line.carriageReturn = false;
              }
              t.append(c);
              if (t.length() >= LONGEST_HELD_LINE) {
                batch = emit(run, line, batch);
              }
            }
          }
        }
      }
    }
    if (batch != null) {
      print(batch);
    }
  }

  private StringBuilder emit(String run, Line line, StringBuilder batch) {
    StringBuilder t = line.text;
    String idle = line.shownIdle;
    line.shownIdle = null;
    if (idle != null && idle.contentEquals(t)) {
      // Shown already after an idle time, and nothing came since.
      t.setLength(0);
      return batch;
    }
    StringBuilder b = batch == null ? new StringBuilder() : batch;
    prefix(b, run);
    b.append(t).append('\n');
    t.setLength(0);
    return b;
  }

  private void prefix(StringBuilder b, String run) {
    String colour = style.colour() ? colours.get(run) : null;
    if (colour != null) {
      b.append(colour).append('[').append(run).append(']').append(RESET).append(' ');
    } else {
      b.append('[').append(run).append("] ");
    }
  }

  private void flush(String run) {
    Line line = partial.get(run);
    if (line == null) {
      return;
    }
    StringBuilder b = null;
    synchronized (line) {
      if (line.text.length() > 0) {
        b = emit(run, line, null);
      }
    }
    if (b != null) {
      print(b);
    }
  }

  /** Shows the partial lines (prompts) that have waited {@link #IDLE_MILLIS} unchanged. */
  private void showIdle() {
    long now = System.nanoTime();
    for (Map.Entry<String, Line> e : partial.entrySet()) {
      Line line = e.getValue();
      StringBuilder b = null;
      synchronized (line) {
        if (line.text.length() > 0 && line.shownIdle == null
            && now - line.lastNanos >= IDLE_MILLIS * 1_000_000L) {
          b = new StringBuilder();
          prefix(b, e.getKey());
          b.append(line.text).append('\n');
          line.shownIdle = line.text.toString();
        }
      }
      if (b != null) {
        print(b);
      }
    }
  }

  private void print(CharSequence lines) {
    synchronized (lock) {
      if (held) {
        return;
      }
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

  /**
   * Call every 100 ms or so: shows prompts that have waited {@link #IDLE_MILLIS}, and redraws the
   * status line (elapsed time moves on) every half second.
   */
  public void tick() {
    if (style.output()) {
      showIdle();
    }
    if (System.nanoTime() - statusDrawnNanos >= STATUS_MILLIS * 1_000_000L) {
      refreshStatus();
    }
  }

  private void clearStatus() {
    if (statusShown) {
      err.print(CLEAR_LINE);
      err.flush();
      statusShown = false;
    }
  }

  private void drawStatus() {
    if (!style.statusLine() || held) {
      return;
    }
    String text = (workers >= 0 ? "workers " + workers + " | " : "") + String.format(Locale.ROOT,
        "running %d | passed %d | failed %d | total %d | %.1fs", live.size(),
        passed.get(), failed.get(), total, (System.nanoTime() - startNanos) / 1e9);
    err.print(CLEAR_LINE + text);
    err.flush();
    statusShown = true;
    statusDrawnNanos = System.nanoTime();
  }
}
