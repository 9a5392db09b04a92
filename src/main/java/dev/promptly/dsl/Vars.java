package dev.promptly.dsl;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The one place that knows the variable syntax of dialogues, shared by the loader (which
 * validates) and the engine (which substitutes at run time).
 *
 * <ul>
 *   <li>only {@code ${name}} is a reference; <code>$${</code> writes a literal <code>${</code>;
 *       any other {@code $} is left alone;</li>
 *   <li>{@code ${env:NAME}} reads the environment (the name starts with {@link #ENV_PREFIX});</li>
 *   <li>{@code ${name:-fallback}} and {@code ${env:NAME:-fallback}} give a fallback, used when
 *       the name has no value (the shell's form); the fallback is plain text, not scanned again;</li>
 *   <li>no nesting; a substituted value is never scanned again, so values may hold <code>${</code>
 *       safely;</li>
 *   <li>a name whose lookup gives null (and has no fallback) is left as written by
 *       {@link #substitute}; {@link #strict} refuses it instead.</li>
 * </ul>
 */
public final class Vars {
  /** Prefix of references to the environment: {@code ${env:HOME}}. */
  public static final String ENV_PREFIX = "env:";

  private Vars() {
  }

  /** Separates a name from its fallback: {@code ${name:-fallback}}. */
  public static final String FALLBACK = ":-";

  /** A reference with no value and no fallback, found by {@link #strict}. */
  public static final class Unresolved extends RuntimeException {
    private final String name;

    Unresolved(String name) {
      super("${" + name + "} has no value", null, false, false);
      this.name = name;
    }

    /** The name, as written (env ones with their prefix). */
    public String name() {
      return name;
    }
  }

  /**
   * Like {@link #substitute}, but a reference with no value and no fallback throws
   * {@link Unresolved}: a dialogue never sends a placeholder.
   */
  public static String strict(String text, Function<String, String> lookup) {
    if (!text.contains("${")) {
      return text; // the common case, with nothing allocated: it runs for every send and expect
    }
    return substitute(text, name -> {
      String v = lookup.apply(name);
      if (v == null) {
        throw new Unresolved(name);
      }
      return v;
    });
  }

  /** The name of a reference's inner text, without its fallback. */
  public static String nameOf(String inner) {
    int at = inner.indexOf(FALLBACK);
    return at < 0 ? inner : inner.substring(0, at);
  }

  /** The names {@code text} refers to without a fallback: those that must have a value. */
  public static Set<String> required(String text) {
    if (!text.contains("${")) {
      return Set.of();
    }
    Set<String> names = new LinkedHashSet<>();
    scanInner(text, inner -> {
      if (!inner.contains(FALLBACK)) {
        names.add(inner);
      }
    });
    return Collections.unmodifiableSet(names);
  }

  /** Replaces every {@code ${name}} of {@code text} whose {@code lookup} is not null. */
  public static String substitute(String text, Function<String, String> lookup) {
    if (!text.contains("${")) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    scan(text, out, lookup);
    return out.toString();
  }

  /**
   * The names {@code text} refers to, in order of first appearance (env ones with prefix), with or
   * without a fallback.
   */
  public static Set<String> references(String text) {
    if (!text.contains("${")) {
      return Set.of();
    }
    Set<String> names = new LinkedHashSet<>();
    scanInner(text, inner -> names.add(nameOf(inner)));
    return Collections.unmodifiableSet(names);
  }

  private static void scanInner(String text, java.util.function.Consumer<String> inner) {
    scanRaw(text, null, in -> {
      inner.accept(in);
      return null;
    }, new int[1]);
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

  /** Offset of a {@code ${} that no {@code }} closes, or -1: almost always a typo. */
  static int unterminated(String text) {
    int[] at = {-1};
    scan(text, null, name -> null, at);
    return at[0];
  }

  private static void scan(String text, StringBuilder out, Function<String, String> lookup) {
    scan(text, out, lookup, new int[1]);
  }

  /** Scans with fallbacks applied: {@code lookup} sees names, never fallbacks. */
  private static void scan(String text, StringBuilder out, Function<String, String> lookup,
                           int[] unterminated) {
    scanRaw(text, out, inner -> {
      int at = inner.indexOf(FALLBACK);
      if (at < 0) {
        return lookup.apply(inner);
      }
      // The fallback is only used, and only looked at, when the name has no value.
      String v = lookupOrNull(lookup, inner.substring(0, at));
      return v != null ? v : inner.substring(at + FALLBACK.length());
    }, unterminated);
  }

  private static String lookupOrNull(Function<String, String> lookup, String name) {
    try {
      return lookup.apply(name);
    } catch (Unresolved e) {
      return null;
    }
  }

  /*
   * A hand scanner rather than commons-text's StringSubstitutor: that one leaves "$${" alone
   * when no "}" follows, and the rule users are given is simply "$${ writes ${".
   */
  private static void scanRaw(String text, StringBuilder out, Function<String, String> lookup,
                              int[] unterminated) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (text.startsWith("$${", i)) {
        append(out, "${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          unterminated[0] = i;
          append(out, text.substring(i));
          return;
        }
        String value = lookup.apply(text.substring(i + 2, end));
        // A value is appended as is, never scanned again: captured text may hold "${".
        append(out, value != null ? value : text.substring(i, end + 1));
        i = end + 1;
      } else {
        if (out != null) {
          out.append(text.charAt(i));
        }
        i++;
      }
    }
  }

  private static void append(StringBuilder out, String s) {
    if (out != null) {
      out.append(s);
    }
  }
}
