package dev.promptly.dsl;

import dev.promptly.match.PromptMatcher;
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

  /** Names of the named groups {@code (?<name>...)} of a source, as the matcher finds them. */
  static Set<String> namedGroups(String source) {
    return new LinkedHashSet<>(PromptMatcher.groupNames(source));
  }
}
