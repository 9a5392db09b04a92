package dev.promptly.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * The small expression language of {@code when:}, read and type-checked at load time; a mistake
 * is a problem at its own column. Grammar, loosest first:
 * <pre>
 *   or      = and ("or" and)*
 *   and     = not ("and" not)*
 *   not     = "not" not | compare
 *   compare = value (("==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=") value
 *                    | ("=~" | "!~") regex)?
 *           | "defined" "(" name ")" | "(" or ")"
 *   value   = ${name} | ${name:-fallback} | 'quoted' | "quoted" | number | word
 * </pre>
 * A value alone is a condition only as {@code true}, {@code false} or a variable (whose value
 * must then be true or false). Comparisons do not chain. No function but {@code defined}, no
 * arithmetic: anything more belongs in the program being driven.
 */
final class ConditionParser {
  /** Longer conditions are refused: they are not conditions any more but programs. */
  static final int MAX_LENGTH = 2000;
  private static final int MAX_NESTING = 32;
  private static final Pattern NAME = Pattern.compile("(env:)?[A-Za-z_][A-Za-z0-9_.-]*");
  private static final List<String> COMPARE = List.of("==", "!=", "<=", ">=", "<", ">");
  private static final String SPECIAL = "()<>=!~'\"";

  private enum Kind { WORD, QUOTED, REF, OP, OPEN, CLOSE, END }

  private record Token(Kind kind, String text, int at) {
  }

  /** A parsed operand: a condition, or a value not yet known to be one. */
  private record Part(Condition.Expr expr, Condition.Value value, int at) {
  }

  /** Stops parsing after the first problem: one wrong token makes the rest meaningless. */
  private static final class Stop extends RuntimeException {
    Stop() {
      super(null, null, false, false);
    }
  }

  private final NodeReader nodes;
  private final ScalarNode node;
  private final String text;
  private final Set<String> scope;
  private final List<Token> tokens = new ArrayList<>();
  private int next;
  private int nesting;
  private final List<Token> refs = new ArrayList<>();
  private final Set<String> tested = new java.util.HashSet<>();

  private ConditionParser(NodeReader nodes, ScalarNode node, Set<String> scope) {
    this.nodes = nodes;
    this.node = node;
    this.text = node.getValue();
    this.scope = scope;
  }

  /** The condition of a {@code when:} value, or null after recording a problem. */
  static Condition parse(NodeReader nodes, Node value, Set<String> scope) {
    String s = nodes.scalarText(value, "a condition such as ${os} == debian");
    if (s == null) {
      return null;
    }
    ConditionParser p = new ConditionParser(nodes, (ScalarNode) value, scope);
    try {
      if (s.length() > MAX_LENGTH) {
        p.fail(0, "a condition longer than " + MAX_LENGTH + " characters");
      }
      p.lex();
      Condition.Expr root = p.condition(p.or(), "a condition");
      if (p.peek().kind() != Kind.END) {
        p.fail(p.peek().at(), "unexpected '" + Texts.shorten(p.shown(p.peek()))
            + "' (join conditions with and / or)");
      }
      // A name the condition tests with defined() may be used in it without being defined.
      for (Token ref : p.refs) {
        p.checkRef(ref);
      }
      return new Condition(s, root, nodes.pos(value));
    } catch (Stop e) {
      return null;
    }
  }

  // ---- tokens

  private void lex() {
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')') {
        tokens.add(new Token(c == '(' ? Kind.OPEN : Kind.CLOSE, String.valueOf(c), i));
        i++;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          fail(i, "'${' is not closed by '}'");
        }
        String inner = text.substring(i + 2, end);
        if (Vars.nameOf(inner).isEmpty()) {
          fail(i, "${} names no variable");
        }
        tokens.add(new Token(Kind.REF, inner, i));
        i = end + 1;
      } else if (c == '\'' || c == '"') {
        StringBuilder b = new StringBuilder();
        int j = i + 1;
        while (j < n && text.charAt(j) != c) {
          if (text.charAt(j) == '\\' && j + 1 < n) {
            j++;
          }
          b.append(text.charAt(j++));
        }
        if (j >= n) {
          fail(i, "a quoted string is not closed by " + c);
        }
        tokens.add(new Token(Kind.QUOTED, b.toString(), i));
        i = j + 1;
      } else if ("<>=!~".indexOf(c) >= 0) {
        String two = i + 1 < n ? text.substring(i, i + 2) : "";
        String op = COMPARE.contains(two) || two.equals("=~") || two.equals("!~") ? two
            : c == '<' || c == '>' ? String.valueOf(c) : null;
        if (op == null) {
          fail(i, c == '=' ? "'=' alone compares nothing: write ==" : c == '!'
              ? "'!' alone: write not, or != to compare" : "'~' alone: write =~ to match a regex");
        }
        tokens.add(new Token(Kind.OP, op, i));
        i += op.length();
      } else {
        int j = i;
        while (j < n && !Character.isWhitespace(text.charAt(j))
            && SPECIAL.indexOf(text.charAt(j)) < 0 && !text.startsWith("${", j)) {
          j++;
        }
        tokens.add(new Token(Kind.WORD, text.substring(i, j), i));
        i = j;
      }
    }
    tokens.add(new Token(Kind.END, "", n));
  }

  /** A token as written. */
  private String shown(Token t) {
    return switch (t.kind()) {
      case REF -> "${" + t.text() + "}";
      case QUOTED -> "'" + t.text() + "'";
      default -> t.text();
    };
  }

  private Token peek() {
    return tokens.get(next);
  }

  private boolean word(String w) {
    return peek().kind() == Kind.WORD && peek().text().equals(w);
  }

  // ---- grammar

  private Part or() {
    Part first = and();
    if (!word("or")) {
      return first;
    }
    List<Condition.Expr> parts = new ArrayList<>(List.of(condition(first, "or")));
    while (word("or")) {
      next++;
      parts.add(condition(and(), "or"));
    }
    return new Part(new Condition.Or(parts), null, first.at());
  }

  private Part and() {
    Part first = not();
    if (!word("and")) {
      return first;
    }
    List<Condition.Expr> parts = new ArrayList<>(List.of(condition(first, "and")));
    while (word("and")) {
      next++;
      parts.add(condition(not(), "and"));
    }
    return new Part(new Condition.And(parts), null, first.at());
  }

  private Part not() {
    if (word("not")) {
      int at = peek().at();
      next++;
      deeper(at);
      Part inner = not();
      nesting--;
      return new Part(new Condition.Not(condition(inner, "not")), null, at);
    }
    return compare();
  }

  private Part compare() {
    Part left = primary();
    Token op = peek();
    if (op.kind() != Kind.OP) {
      return left;
    }
    next++;
    Condition.Value a = value(left, op.text());
    if (op.text().equals("=~") || op.text().equals("!~")) {
      Token r = peek();
      if (r.kind() != Kind.WORD && r.kind() != Kind.QUOTED) {
        fail(r.at(), op.text() + " needs a regex written here ('^v?1[.]' or a word)"
            + (r.kind() == Kind.REF ? ", not a variable" : ""));
      }
      next++;
      try {
        Pattern p = Pattern.compile(r.text(), Pattern.DOTALL);
        return new Part(new Condition.Match(a, p, op.text().equals("!~")), null, left.at());
      } catch (PatternSyntaxException ex) {
        fail(r.at(), "bad regex: " + Texts.oneLine(ex.getDescription()));
      }
    }
    Part right = primary();
    Condition.Value b = value(right, op.text());
    if (a instanceof Condition.Text x && b instanceof Condition.Text y
        && !op.text().equals("==") && !op.text().equals("!=")) {
      boolean nx = Condition.number(x.text()) != null;
      boolean ny = Condition.number(y.text()) != null;
      if (nx != ny) {
        fail((nx ? right : left).at(), "'" + Texts.shorten(nx ? y.text() : x.text())
            + "' is not a number, and " + op.text() + " orders it against one");
      }
    }
    if (peek().kind() == Kind.OP) {
      fail(peek().at(), "comparisons do not chain: join them with and");
    }
    return new Part(new Condition.Compare(a, op.text(), b), null, left.at());
  }

  private Part primary() {
    Token t = peek();
    switch (t.kind()) {
      case OPEN -> {
        next++;
        deeper(t.at());
        Part inner = or();
        nesting--;
        if (peek().kind() != Kind.CLOSE) {
          fail(peek().at(), peek().kind() == Kind.END ? "'(' is not closed by ')'"
              : "expected ')', got '" + Texts.shorten(shown(peek())) + "'");
        }
        next++;
        return new Part(condition(inner, "( )"), null, t.at());
      }
      case REF -> {
        next++;
        refs.add(t);
        return new Part(null, new Condition.Ref(t.text()), t.at());
      }
      case QUOTED -> {
        next++;
        return new Part(null, new Condition.Text(t.text(), true), t.at());
      }
      case WORD -> {
        if (t.text().equals("defined") && tokens.get(next + 1).kind() == Kind.OPEN) {
          return defined();
        }
        if (List.of("and", "or", "not").contains(t.text())) {
          fail(t.at(), "'" + t.text() + "' needs a condition before it");
        }
        next++;
        return new Part(null, new Condition.Text(t.text(), false), t.at());
      }
      case END -> fail(t.at(), t.at() == 0 ? "the condition is empty"
          : "the condition ends where a value was expected");
      default -> fail(t.at(), "expected a value, got '" + Texts.shorten(shown(t)) + "'");
    }
    throw new Stop();
  }

  private Part defined() {
    int at = peek().at();
    next += 2;
    Token name = peek();
    String n = name.kind() == Kind.REF ? Vars.nameOf(name.text()) : name.text();
    if ((name.kind() != Kind.WORD && name.kind() != Kind.REF) || !NAME.matcher(n).matches()) {
      fail(name.at(), "defined( ) takes a variable's name, as in defined(token)");
    }
    next++;
    if (peek().kind() != Kind.CLOSE) {
      fail(peek().at(), "defined( ) takes one name: expected ')'");
    }
    next++;
    tested.add(n);
    return new Part(new Condition.Defined(n), null, at);
  }

  /** A part where a condition belongs: a variable (true or false) or true/false themselves. */
  private Condition.Expr condition(Part p, String where) {
    if (p.expr() != null) {
      return p.expr();
    }
    Condition.Value v = p.value();
    if (v instanceof Condition.Ref
        || v instanceof Condition.Text t && !t.quoted() && (t.text().equals("true")
            || t.text().equals("false"))) {
      return new Condition.Truth(v);
    }
    fail(p.at(), "'" + Texts.shorten(v.shown()) + "' is a value, not a condition"
        + (where.equals("a condition") ? "" : " (next to " + where + ")")
        + ": compare it, as in ${os} == debian");
    throw new Stop();
  }

  /** A part where a value belongs. */
  private Condition.Value value(Part p, String op) {
    if (p.value() == null) {
      fail(p.at(), op + " compares values, not conditions");
    }
    return p.value();
  }

  private void deeper(int at) {
    if (++nesting > MAX_NESTING) {
      fail(at, "nested deeper than " + MAX_NESTING + " levels");
    }
  }

  private void checkRef(Token t) {
    String name = Vars.nameOf(t.text());
    boolean fallback = t.text().contains(Vars.FALLBACK);
    if (fallback || name.startsWith(Vars.ENV_PREFIX) || scope.contains(name)
        || tested.contains(name) || nodes.inventoryScope) {
      if (name.startsWith(Vars.ENV_PREFIX) && !fallback) {
        nodes.refs(at(t.at()), "${" + t.text() + "}", scope);
      }
      return;
    }
    fail(t.at(), "undefined variable ${" + Texts.shorten(name) + "}"
        + NodeReader.didYouMean(name, scope, "${%s}") + " (defined(" + Texts.shorten(name)
        + ") tests whether it has a value)");
  }

  // ---- places

  /**
   * Where offset {@code i} of the condition stands in the file: exact for a value on one line
   * (after the quote of a quoted one), the value's start otherwise.
   */
  private SourcePos at(int i) {
    SourcePos start = nodes.pos(node);
    ScalarStyle style = node.getScalarStyle();
    boolean oneLine = node.getEndMark().isPresent() && node.getStartMark().isPresent()
        && node.getEndMark().get().getLine() == node.getStartMark().get().getLine();
    if (!oneLine || style == ScalarStyle.LITERAL || style == ScalarStyle.FOLDED) {
      return start;
    }
    int quote = style == ScalarStyle.PLAIN ? 0 : 1;
    return start.withColumn(start.column() + quote + text.codePointCount(0, i));
  }

  private void fail(int i, String message) {
    nodes.problem(at(i), "when: " + message);
    throw new Stop();
  }
}
