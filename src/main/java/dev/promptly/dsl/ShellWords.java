package dev.promptly.dsl;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command string into words the way a POSIX shell does, without running a shell:
 * quotes group, {@code ''} is an empty word, and nothing is expanded (no globs, no {@code $},
 * no {@code ~}, no {@code #} comments). {@code ${...}} passes through for the engine to
 * substitute later.
 *
 * <ul>
 *   <li>outside quotes a backslash takes the next character literally (backslash-newline
 *       joins lines);</li>
 *   <li>inside single quotes every character is literal;</li>
 *   <li>inside double quotes a backslash escapes only {@code " \ $ `} and a newline; before
 *       anything else it stays a backslash.</li>
 * </ul>
 */
public final class ShellWords {
  private ShellWords() {
  }

  /**
   * Splits {@code command} into words.
   *
   * @throws IllegalArgumentException for an unterminated quote or a trailing lone backslash
   */
  public static List<String> split(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    // Quotes alone make a word ('' is an empty argument), so "started" is tracked apart from text.
    boolean started = false;
    int i = 0;
    int n = command.length();
    while (i < n) {
      char c = command.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (started) {
          words.add(word.toString());
          word.setLength(0);
          started = false;
        }
        i++;
      } else if (c == '\'') {
        int close = command.indexOf('\'', i + 1);
        if (close < 0) {
          throw new IllegalArgumentException(
              "unterminated single quote (opened at character " + (i + 1) + ")");
        }
        word.append(command, i + 1, close);
        started = true;
        i = close + 1;
      } else if (c == '"') {
        int open = i;
        i++;
        boolean closed = false;
        while (i < n) {
          char d = command.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\' && i + 1 < n) {
            char e = command.charAt(i + 1);
            if (e == '"' || e == '\\' || e == '$' || e == '`') {
              word.append(e);
              i += 2;
              continue;
            }
            if (e == '\n') {
              i += 2;
              continue;
            }
          }
          word.append(d);
          i++;
        }
        if (!closed) {
          throw new IllegalArgumentException(
              "unterminated double quote (opened at character " + (open + 1) + ")");
        }
        started = true;
      } else if (c == '\\') {
        if (i + 1 >= n) {
          throw new IllegalArgumentException("a lone backslash at the end of the command");
        }
        char e = command.charAt(i + 1);
        if (e != '\n') {
          word.append(e);
          started = true;
        }
        i += 2;
      } else {
        word.append(c);
        started = true;
        i++;
      }
    }
    if (started) {
      words.add(word.toString());
    }
    return List.copyOf(words);
  }
}
