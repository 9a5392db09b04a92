package dev.promptly.dsl;

import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A {@code when:} condition, parsed and type-checked when the file is loaded
 * ({@link ConditionParser}), tested against the run's variables when its step or branch comes.
 * Values never become expression text: {@code ${x}} stands for x's value whatever it holds.
 *
 * @param source the condition as written
 * @param root its tree
 * @param pos where it is written
 */
public record Condition(String source, Expr root, SourcePos pos) {

  /** A value that does not fit its place at run time (a word compared with {@code >}). */
  public static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Whether the condition holds. {@code lookup} gives variables' values, as {@link Vars#strict}
   * takes them: a reference with no value (outside {@code defined()}) throws
   * {@link Vars.Unresolved}; a value that does not fit throws {@link Failure}.
   */
  public boolean test(Function<String, String> lookup) {
    try {
      return root.test(lookup);
    } catch (Failure f) {
      throw new Failure("when: " + source + " (" + pos + "): " + f.getMessage());
    }
  }

  /** The variables the condition reads or tests with {@code defined}. */
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    collect(root, names);
    return names;
  }

  private static void collect(Expr e, Set<String> names) {
    if (e instanceof Or o) {
      o.parts().forEach(p -> collect(p, names));
    } else if (e instanceof And a) {
      a.parts().forEach(p -> collect(p, names));
    } else if (e instanceof Not n) {
      collect(n.inner(), names);
    } else if (e instanceof Defined d) {
      names.add(d.name());
    } else if (e instanceof Truth t) {
      collect(t.value(), names);
    } else if (e instanceof Compare c) {
      collect(c.left(), names);
      collect(c.right(), names);
    } else if (e instanceof Match m) {
      collect(m.left(), names);
    }
  }

  private static void collect(Value v, Set<String> names) {
    if (v instanceof Ref r) {
      names.add(Vars.nameOf(r.inner()));
    }
  }

  /** A node of the tree: every one is a condition, values appear only inside comparisons. */
  public sealed interface Expr {
    boolean test(Function<String, String> lookup);
  }

  /** A value: literal text (a word, a quoted string or a number) or a variable's value. */
  public sealed interface Value {
    String value(Function<String, String> lookup);

    /** How it is shown in messages. */
    String shown();
  }

  /** Literal text: a word, a number or a quoted string ({@code quoted}). */
  public record Text(String text, boolean quoted) implements Value {
    @Override
    public String value(Function<String, String> lookup) {
      return text;
    }

    @Override
    public String shown() {
      return quoted ? "'" + text + "'" : text;
    }
  }

  /** {@code ${name}} or {@code ${name:-fallback}}, {@code inner} as written between the braces. */
  public record Ref(String inner) implements Value {
    @Override
    public String value(Function<String, String> lookup) {
      return Vars.strict("${" + inner + "}", lookup);
    }

    @Override
    public String shown() {
      return "${" + inner + "}";
    }
  }

  /** Either side holds. */
  public record Or(List<Expr> parts) implements Expr {
    public Or {
      parts = List.copyOf(parts);
    }

    @Override
    public boolean test(Function<String, String> lookup) {
      for (Expr e : parts) {
        if (e.test(lookup)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Both sides hold (the right one is not looked at when the left one does not). */
  public record And(List<Expr> parts) implements Expr {
    public And {
      parts = List.copyOf(parts);
    }

    @Override
    public boolean test(Function<String, String> lookup) {
      for (Expr e : parts) {
        if (!e.test(lookup)) {
          return false;
        }
      }
      return true;
    }
  }

  /** {@code not X}. */
  public record Not(Expr inner) implements Expr {
    @Override
    public boolean test(Function<String, String> lookup) {
      return !inner.test(lookup);
    }
  }

  /** {@code defined(name)}: the variable has a value now. */
  public record Defined(String name) implements Expr {
    @Override
    public boolean test(Function<String, String> lookup) {
      return lookup.apply(name) != null;
    }
  }

  /** A value standing alone: {@code true} or {@code false} (a variable's value must be one). */
  public record Truth(Value value) implements Expr {
    @Override
    public boolean test(Function<String, String> lookup) {
      String v = value.value(lookup).strip().toLowerCase(Locale.ROOT);
      if (v.equals("true")) {
        return true;
      }
      if (v.equals("false")) {
        return false;
      }
      throw new Failure(value.shown() + " is '" + Texts.shorten(v)
          + "', not true or false (compare it: " + value.shown() + " == yes)");
    }
  }

  /**
   * {@code left OP right}: two numbers compare as numbers ({@code 16 > 4}), anything else as
   * text; ordering a number against a word is an error.
   */
  public record Compare(Value left, String op, Value right) implements Expr {
    @Override
    public boolean test(Function<String, String> lookup) {
      String a = left.value(lookup);
      String b = right.value(lookup);
      BigDecimal x = number(a);
      BigDecimal y = number(b);
      int c;
      if (x != null && y != null) {
        c = x.compareTo(y);
      } else if (op.equals("==") || op.equals("!=")) {
        c = a.equals(b) ? 0 : 1;
      } else if (x == null && y == null) {
        c = a.compareTo(b);
      } else {
        Value word = x == null ? left : right;
        throw new Failure(word.shown() + " is '" + Texts.shorten(x == null ? a : b)
            + "', not a number, and " + op + " orders it against a number");
      }
      return switch (op) {
        case "==" -> c == 0;
        case "!=" -> c != 0;
        case "<" -> c < 0;
        case "<=" -> c <= 0;
        case ">" -> c > 0;
        default -> c >= 0;
      };
    }
  }

  /** {@code left =~ REGEX} (found anywhere in the value), or {@code !~}. */
  public record Match(Value left, Pattern regex, boolean negated) implements Expr {
    @Override
    public boolean test(Function<String, String> lookup) {
      return regex.matcher(left.value(lookup)).find() != negated;
    }
  }

  private static final Pattern NUMBER = Pattern.compile("[-+]?\\d{1,40}(\\.\\d{1,40})?");

  /** The number {@code text} spells, or null. */
  static BigDecimal number(String text) {
    String t = text.strip();
    return NUMBER.matcher(t).matches() ? new BigDecimal(t) : null;
  }
}
