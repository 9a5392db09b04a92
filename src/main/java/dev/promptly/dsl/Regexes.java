package dev.promptly.dsl;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/** What the loader needs to know about a regex source before the engine substitutes it. */
final class Regexes {
  /**
   * Stands in for every ${...} when a regex is checked: a digit is valid as literal text, inside
   * a character class and as a repeat count, the places a variable can sensibly stand.
   */
  static final String PLACEHOLDER = "1";

  private Regexes() {
  }

  /** The source as the engine will compile it, with a harmless placeholder for each variable. */
  static Pattern compileForCheck(String source) {
    return Pattern.compile(Vars.substitute(source, name -> PLACEHOLDER), Pattern.DOTALL);
  }

  /**
   * Names of the named groups {@code (?<name>...)} of a source that compiles. Java 17 has no
   * public API for them (Pattern.namedGroups is Java 20), so scan, skipping escapes, quoted
   * sections and character classes, where "(?<" is literal.
   */
  static Set<String> namedGroups(String source) {
    Set<String> names = new LinkedHashSet<>();
    int n = source.length();
    int classDepth = 0;
    for (int i = 0; i < n; i++) {
      char c = source.charAt(i);
      if (c == '\\') {
        if (i + 1 < n && source.charAt(i + 1) == 'Q') {
          int end = source.indexOf("\\E", i + 2);
          i = end < 0 ? n : end + 1;
        } else {
          i++;
        }
      } else if (c == '[') {
        classDepth++;
      } else if (c == ']' && classDepth > 0) {
        classDepth--;
      } else if (classDepth == 0 && c == '(' && source.startsWith("(?<", i) && i + 3 < n
          && Character.isLetter(source.charAt(i + 3))) {
        int j = i + 3;
        while (j < n && Character.isLetterOrDigit(source.charAt(j))) {
          j++;
        }
        if (j < n && source.charAt(j) == '>') {
          names.add(source.substring(i + 3, j));
        }
      }
    }
    return names;
  }
}
