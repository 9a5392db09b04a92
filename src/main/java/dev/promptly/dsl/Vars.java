package dev.promptly.dsl;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.commons.text.StringSubstitutor;

/**
 * The one place that knows the variable syntax of dialogues, shared by the loader (which
 * validates) and the engine (which substitutes at run time).
 *
 * <ul>
 *   <li>only {@code ${name}} is a reference; <code>$${</code> writes a literal <code>${</code>;
 *       any other {@code $} is left alone;</li>
 *   <li>{@code ${env:NAME}} reads the environment (the name starts with {@link #ENV_PREFIX});</li>
 *   <li>no defaults ({@code ${a:-b}} is simply the name {@code a:-b}) and no nesting;</li>
 *   <li>a substituted value is never scanned again, so values may hold <code>${</code> safely;</li>
 *   <li>a name whose lookup gives null is left as written.</li>
 * </ul>
 */
public final class Vars {
  /** Prefix of references to the environment: {@code ${env:HOME}}. */
  public static final String ENV_PREFIX = "env:";

  private Vars() {
  }

  /** Replaces every {@code ${name}} of {@code text} whose {@code lookup} is not null. */
  public static String substitute(String text, Function<String, String> lookup) {
    return substitutor(lookup::apply).replace(text);
  }

  /** The names {@code text} refers to, in order of first appearance (env ones with prefix). */
  public static Set<String> references(String text) {
    if (!text.contains("${")) {
      return Set.of();
    }
    Set<String> names = new LinkedHashSet<>();
    substitutor(name -> {
      names.add(name);
      return null;
    }).replace(text);
    return Collections.unmodifiableSet(names);
  }

  /**
   * A lookup for {@link #substitute}: {@code env:NAME} goes to {@code environment}, anything
   * else to {@code vars}.
   */
  public static Function<String, String> lookup(Map<String, String> vars,
                                                Function<String, String> environment) {
    return name -> name.startsWith(ENV_PREFIX)
        ? environment.apply(name.substring(ENV_PREFIX.length()))
        : vars.get(name);
  }

  private static StringSubstitutor substitutor(UnaryOperator<String> lookup) {
    StringSubstitutor s = new StringSubstitutor(lookup::apply);
    s.setEscapeChar('$');
    // ":-" defaults would make "${env:A:-b}" mean something the loader cannot check: off.
    s.setValueDelimiterMatcher(null);
    s.setEnableSubstitutionInVariables(false);
    // A captured value holding "${x}" must be sent as is, never expanded again.
    s.setDisableSubstitutionInValues(true);
    s.setPreserveEscapes(false);
    return s;
  }
}
