package dev.promptly.match.screen;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.builtins.ScreenTerminal;

/**
 * The screen a person would see on a pty of {@code rows} x {@code columns}: the child's output fed
 * through a VT100/xterm emulator (JLine's ScreenTerminal). Pure: fed text, asked questions, no I/O.
 * Not thread-safe; the engine feeds and asks on the run's context.
 */
public final class ScreenView {
  private final ScreenTerminal terminal;
  private final int rows;
  private String cached;

  public ScreenView(int rows, int columns) {
    this.rows = rows;
    this.terminal = new ScreenTerminal(columns, rows);
  }

  /** Output of the child, decoded. */
  public void feed(String text) {
    if (!text.isEmpty()) {
      terminal.write(text);
      cached = null;
    }
  }

  /** The screen's rows, trailing blanks removed, one per line ({@code rows} lines). */
  public List<String> lines() {
    String all = text();
    List<String> out = new ArrayList<>(List.of(all.split("\n", -1)));
    while (out.size() > rows) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /** The screen as text: its rows joined by {@code \n}, trailing blanks of each row removed. */
  public String text() {
    if (cached == null) {
      String raw = terminal.toString();
      StringBuilder b = new StringBuilder(raw.length());
      for (String line : raw.split("\n", -1)) {
        if (b.length() > 0) {
          b.append('\n');
        }
        b.append(line.replace('\u0000', ' ').stripTrailing());
      }
      String s = b.toString();
      int n = s.length();
      while (n > 0 && s.charAt(n - 1) == '\n') {
        n--;
      }
      cached = s.substring(0, n);
    }
    return cached;
  }

  /** {@code text} anywhere on the screen (within a row). */
  public boolean contains(String text) {
    for (String line : text().split("\n", -1)) {
      if (line.contains(text)) {
        return true;
      }
    }
    return text().contains(text);
  }

  /** The first match of {@code regex} over the screen's rows as lines ({@code ^}/{@code $} per row). */
  public Optional<Matcher> find(Pattern regex) {
    Matcher m = Pattern.compile(regex.pattern(), regex.flags() | Pattern.MULTILINE)
        .matcher(text());
    return m.find() ? Optional.of(m) : Optional.empty();
  }
}
