package dev.promptly.terminal;

import dev.promptly.match.AnsiFilter;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns what a person typed into a program, and what it printed, into a dialogue (Tcl's
 * autoexpect, done properly): each line typed becomes an {@code expect:} of the prompt shown
 * before it (volatile parts generalised to a regex, see {@link Prompts}) and a {@code sendline:};
 * a line typed while the child's terminal did not echo becomes {@code ${env:PROMPTLY_SECRET_N}}
 * and its text is never kept; ^C becomes {@code signal: INT}, ^D on an empty line
 * {@code close: stdin}; the end is {@code expect: eof} and {@code exit:}. It also keeps an
 * asciicast v2 of the session whose input events are the lines as the dialogue sends them (a
 * secret as {@code ******}), so the recording replays against the dialogue.
 *
 * <p>Fed from two threads (output and keys): its methods are synchronized. No I/O.
 */
public final class DialogueRecorder {
  /** How the variables of typed secrets are named: PROMPTLY_SECRET_1, _2, ... */
  public static final String SECRET_PREFIX = "PROMPTLY_SECRET_";
  private static final String MASK = "******";
  /** Output kept to find the prompt in: a prompt is the tail of what was printed. */
  private static final int KEEP = 8192;
  /** A step that waited longer than this for its prompt gets a timeout of its own. */
  private static final long SLOW_MILLIS = 3000;

  private sealed interface Item {
  }

  private record Line(String prompt, String text, boolean newline, int secret, long waitedMillis)
      implements Item {
  }

  private record Interrupt() implements Item {
  }

  private record Close(String prompt, long waitedMillis) implements Item {
  }

  private final long t0 = System.nanoTime();
  private final AnsiFilter ansi = new AnsiFilter();
  private final StringBuilder output = new StringBuilder();
  private final StringBuilder line = new StringBuilder();
  private final List<Item> items = new ArrayList<>();
  private final StringBuilder cast = new StringBuilder();
  private String prompt;
  private long promptWait;
  private boolean secret;
  private String echoToSkip = "";
  private int secrets;
  private long lineEnded = System.nanoTime();
  private long lastOutput = System.nanoTime();

  /** Output of the child, decoded. */
  public synchronized void output(String text) {
    if (text.isEmpty()) {
      return;
    }
    castEvent("o", text);
    output.append(ansi.filter(text));
    if (output.length() > KEEP) {
      output.delete(0, output.length() - KEEP / 2);
    }
    lastOutput = System.nanoTime();
  }

  /**
   * Keys the person typed, decoded; {@code echoing}: whether the child's terminal echoed input
   * when they came (false: a password).
   */
  public synchronized void typed(String keys, boolean echoing) {
    for (int i = 0; i < keys.length(); ) {
      int c = keys.codePointAt(i);
      i += Character.charCount(c);
      switch (c) {
        case '\r', '\n' -> {
          start(echoing);
          endLine(true, echoing);
        }
        case 0x7f, '\b' -> {
          if (line.length() > 0) {
            line.setLength(line.offsetByCodePoints(line.length(), -1));
          }
        }
        case 0x15 -> line.setLength(0); // ^U: the line is erased
        case 0x03 -> { // ^C: the terminal interrupts the child
          items.add(new Interrupt());
          reset();
        }
        case 0x04 -> { // ^D: end of input on an empty line, else the line without its newline
          if (line.length() == 0) {
            items.add(new Close(prompt != null ? prompt : promptNow(), waited()));
            reset();
          } else {
            endLine(false, echoing);
          }
        }
        default -> {
          start(echoing);
          line.appendCodePoint(c);
        }
      }
    }
  }

  /** The end of input (the person's terminal closed): as ^D. */
  public synchronized void endOfInput() {
    typed("\u0004", true);
  }

  private void start(boolean echoing) {
    if (prompt == null) {
      prompt = promptNow();
      promptWait = waited();
    }
    if (!echoing) {
      secret = true;
    }
  }

  private long waited() {
    return Math.max(0, (lastOutput - lineEnded) / 1_000_000);
  }

  private void endLine(boolean newline, boolean echoing) {
    int n = 0;
    String sent = line.toString();
    if (secret) {
      n = ++secrets;
      sent = MASK;
    }
    items.add(new Line(prompt, secret ? null : line.toString(), newline, n, promptWait));
    castEvent("i", newline ? sent + "\n" : sent);
    echoToSkip = secret || !echoing ? "" : line + "\r\n";
    reset();
  }

  private void reset() {
    line.setLength(0);
    prompt = null;
    secret = false;
    output.setLength(0);
    lineEnded = System.nanoTime();
  }

  /** The prompt now on screen: the last line printed (or the last non-blank one), or null. */
  private String promptNow() {
    String s = output.toString().replace("\r\n", "\n");
    // Echo of the line before that came late is no prompt.
    String echo = echoToSkip.replace("\r\n", "\n");
    for (int k = 0; k < echo.length(); k++) {
      if (s.startsWith(echo.substring(k))) {
        s = s.substring(echo.length() - k);
        break;
      }
    }
    // What a carriage return wrote over is not on screen any more.
    s = s.replace('\r', '\n');
    String[] lines = s.split("\n", -1);
    for (int i = lines.length - 1; i >= 0; i--) {
      String l = lines[i].replaceAll("[\\p{Cntrl}&&[^\t]]", "");
      if (!l.isBlank()) {
        return Prompts.tail(l);
      }
    }
    return null;
  }

  private void castEvent(String kind, String text) {
    cast.append(String.format(Locale.ROOT, "[%.6f, \"%s\", %s]\n",
        (System.nanoTime() - t0) / 1e9, kind, Json.encode(text)));
  }

  /** The asciicast v2 recording of the session so far. */
  public synchronized String cast(int rows, int columns, String title, String term) {
    JsonObject h = new JsonObject().put("version", 2).put("width", columns).put("height", rows)
        .put("timestamp", System.currentTimeMillis() / 1000).put("title", title);
    if (term != null) {
      h.put("env", new JsonObject().put("TERM", term));
    }
    return h.encode() + "\n" + cast;
  }

  /** How many secrets were typed (PROMPTLY_SECRET_1 .. _N). */
  public synchronized int secrets() {
    return secrets;
  }

  /**
   * The dialogue, as YAML.
   *
   * @param command the program and its arguments
   * @param pty whether it ran on a pseudo-terminal
   * @param cwd its folder relative to the dialogue's, or null when the same
   * @param exit the exit status to expect: a number or a signal name such as SIGTERM
   */
  public synchronized String dialogue(List<String> command, boolean pty, String cwd,
                                      String exit) {
    long endWait = waited();
    StringBuilder y = new StringBuilder();
    y.append("# Recorded by: promptly record -- ")
        .append(String.join(" ", command).replaceAll("\\p{Cntrl}", "?")).append('\n');
    if (secrets > 0) {
      y.append("# What was typed with echo off is not in this file: before running it, set ");
      for (int i = 1; i <= secrets; i++) {
        y.append(i > 1 ? ", " : "").append(SECRET_PREFIX).append(i);
      }
      y.append(".\n");
    }
    y.append("command: [");
    for (int i = 0; i < command.size(); i++) {
      y.append(i > 0 ? ", " : "").append(quote(literal(command.get(i))));
    }
    y.append("]\n");
    if (pty) {
      y.append("pty: true\n");
    }
    if (cwd != null) {
      y.append("cwd: ").append(quote(literal(cwd))).append('\n');
    }
    y.append("steps:\n");
    for (Item item : items) {
      if (item instanceof Line l) {
        boolean expected = expect(y, l.prompt(), l.waitedMillis());
        String text = l.secret() > 0 ? "${env:" + SECRET_PREFIX + l.secret() + "}"
            : literal(l.text());
        y.append(expected ? "    " : "  - ").append(l.newline() ? "sendline: " : "send: ")
            .append(quote(text)).append('\n');
        if (l.secret() > 0) {
          y.append("    secret: true\n");
        }
      } else if (item instanceof Interrupt) {
        y.append("  - signal: INT\n");
      } else if (item instanceof Close c) {
        expect(y, c.prompt(), c.waitedMillis());
        y.append("  - close: stdin\n");
      }
    }
    y.append("  - expect: eof\n");
    if (endWait > SLOW_MILLIS) {
      y.append("    timeout: ").append(timeout(endWait)).append('\n');
    }
    y.append("exit: ").append(exit).append('\n');
    return y.toString();
  }

  /** Writes "- expect: PROMPT" (and its timeout); false when there is no prompt to expect. */
  private static boolean expect(StringBuilder y, String prompt, long waitedMillis) {
    if (prompt == null) {
      return false;
    }
    String regex = Prompts.regex(prompt);
    y.append("  - expect: ").append(regex == null ? quote(literal(prompt))
        : "{regex: " + quote(regex) + "}").append('\n');
    if (waitedMillis > SLOW_MILLIS) {
      y.append("    timeout: ").append(timeout(waitedMillis)).append('\n');
    }
    return true;
  }

  private static String timeout(long waitedMillis) {
    return Math.max(10, (waitedMillis * 3 + 999) / 1000) + "s";
  }

  /** Text that is to stay as it is: a written ${ would be a variable reference. */
  private static String literal(String text) {
    return text.replace("${", "$${");
  }

  /** A YAML double-quoted scalar: every character survives, control characters escaped. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case 0x1b -> b.append("\\e");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
