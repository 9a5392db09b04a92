package dev.promptly.report;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live view: every line a child writes, prefixed with its run's name ({@code [echo] ...}).
 * Lines of different runs never interleave mid-line: a line is printed whole, under one lock.
 * A prompt without a newline is shown when input is sent after it (with what was sent, as a
 * terminal would show it) or when the output ends.
 */
public final class ConsoleView implements RunObserver {
  private static final int LONGEST_HELD_LINE = 8192;

  private final PrintWriter out;
  private final Object lock = new Object();
  private final Map<String, StringBuilder> partial = new ConcurrentHashMap<>();
  private final Set<String> quiet = ConcurrentHashMap.newKeySet();

  public ConsoleView(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void started(RunInfo run) {
    if (run.quiet()) {
      this.quiet.add(run.name());
    }
  }

  @Override
  public void output(String run, byte[] raw, String text) {
    if (!quiet.contains(run)) {
      append(run, text);
    }
  }

  @Override
  public void sent(String run, String shown, boolean echoedByTerminal) {
    if (!echoedByTerminal && !quiet.contains(run)) {
      append(run, shown);
    }
  }

  @Override
  public void outputEnded(String run) {
    flush(run);
  }

  @Override
  public void finished(RunResult result) {
    flush(result.name());
    partial.remove(result.name());
    quiet.remove(result.name());
  }

  private void append(String run, String text) {
    if (text.isEmpty()) {
      return;
    }
    StringBuilder line = partial.computeIfAbsent(run, k -> new StringBuilder());
    StringBuilder batch = null;
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
    if (batch != null) {
      synchronized (lock) {
        out.print(batch);
        out.flush();
      }
    }
  }

  private static StringBuilder emit(String run, StringBuilder line, StringBuilder batch) {
    StringBuilder b = batch == null ? new StringBuilder() : batch;
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      end--;
    }
    b.append('[').append(run).append("] ").append(line, 0, end).append('\n');
    line.setLength(0);
    return b;
  }

  private void flush(String run) {
    StringBuilder line = partial.get(run);
    if (line != null && line.length() > 0) {
      StringBuilder b = emit(run, line, null);
      synchronized (lock) {
        out.print(b);
        out.flush();
      }
    }
  }
}
