package dev.promptly.terminal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt as a recorded dialogue waits for it: the parts that change from one run to the next
 * (numbers, so also PIDs, counters, dates and times; hashes; day and month names next to a time)
 * become regexes, the rest stays literal. Pure.
 */
final class Prompts {
  /** Longest prompt kept: a long last line is output, and its end is what marks the prompt. */
  static final int MAX = 60;
  private static final Pattern VOLATILE = Pattern.compile(
      "(?<hash>\\b(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{7,}\\b)"
      + "|(?<num>[0-9]+)"
      + "|(?<name>\\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov"
      + "|Dec)\\b)");
  private static final Pattern TIME = Pattern.compile("\\d{1,2}:\\d{2}");
  private static final String META = "\\.[]{}()*+?^$|";

  private Prompts() {
  }

  /** At most {@link #MAX} characters of the end of {@code line}, starting after a space if any. */
  static String tail(String line) {
    if (line.length() <= MAX) {
      return line;
    }
    String t = line.substring(line.length() - MAX);
    int space = t.indexOf(' ');
    return space >= 0 && space < t.length() - 1 ? t.substring(space + 1) : t;
  }

  /** The prompt as a regex, or null when nothing in it changes (a literal then). */
  static String regex(String prompt) {
    boolean dated = TIME.matcher(prompt).find();
    Matcher m = VOLATILE.matcher(prompt);
    StringBuilder b = new StringBuilder();
    int at = 0;
    boolean any = false;
    while (m.find()) {
      if (m.group("name") != null && !dated) {
        continue;
      }
      String gap = prompt.substring(at, m.start());
      if (m.group("num") != null && gap.endsWith(" ")) {
        // Padded fields ("Dec  5" one day, "Dec 15" the next).
        String kept = gap.stripTrailing();
        b.append(quote(kept)).append(" +");
      } else {
        b.append(quote(gap));
      }
      b.append(m.group("hash") != null ? "[0-9a-fA-F]+" : m.group("num") != null ? "\\d+"
          : "[A-Z][a-z]{2}");
      at = m.end();
      any = true;
    }
    if (!any) {
      return null;
    }
    return b.append(quote(prompt.substring(at))).toString();
  }

  private static String quote(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (META.indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }
}
