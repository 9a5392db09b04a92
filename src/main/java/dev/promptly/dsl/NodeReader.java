package dev.promptly.dsl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.HashSet;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads the nodes of one file for the parsers ({@link DialogueParser}, {@link StepParser},
 * {@link PatternParser}): typed values, keys checked against what is known, ${...} references
 * checked against what is defined. Every mistake becomes a {@link Problem} at the node's line
 * and column, and reading goes on, so a file's problems all come out at once.
 */
final class NodeReader {
  static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  static final int MAX_PROBLEMS = 100;
  private static final LevenshteinDistance DISTANCE = new LevenshteinDistance(2);

  final Path file;
  /** The file's folder, absolute: relative paths in the file are resolved against it. */
  final Path dir;
  private final List<Problem> problems;
  /** The environment references are checked against: the process's own. */
  private final Function<String, String> environment = System::getenv;
  /**
   * The dialogue being read has {@code hosts:}: names may come from the inventory, so undefined
   * references are checked when each run starts instead.
   */
  boolean inventoryScope;

  /** Thrown to stop after {@link #MAX_PROBLEMS}: past that, more lines only bury the first. */
  static final class TooManyProblems extends RuntimeException {
    TooManyProblems() {
      super(null, null, false, false);
    }
  }

  /** One key of a mapping, with its key node (for messages) and its value. */
  record Entry(String key, ScalarNode keyNode, Node value) {
  }

  /** Where the include step that brought this file in stands, or null for a loaded file. */
  final SourcePos via;
  /** The files from the loaded one to this one (absolute): an include of one of them loops. */
  final List<Path> chain;
  /** Includes read so far for the loaded file, shared by every file it includes. */
  final int[] includes;

  NodeReader(Path file, List<Problem> problems) {
    this(file, problems, null, List.of(file.toAbsolutePath().normalize()), new int[1]);
  }

  /** A reader for a file that an include step at {@code via} brings in. */
  NodeReader(Path file, List<Problem> problems, SourcePos via, List<Path> chain,
             int[] includes) {
    this.via = via;
    this.chain = List.copyOf(chain);
    this.includes = includes;
    this.file = file;
    Path abs = file.toAbsolutePath().normalize();
    this.dir = abs.getParent() != null ? abs.getParent() : abs.getRoot();
    this.problems = problems;
  }

  /** The problems recorded so far (shared by every parser of the file). */
  List<Problem> problems() {
    return problems;
  }

  Duration duration(Node node) {
    String s = scalarText(node, "a duration");
    if (s == null) {
      return null;
    }
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException ex) {
      error(node, ex.getMessage());
      return null;
    }
  }

  // ---- steps

  /**
   * Keys of a mapping, in order; reports non-string keys, duplicates and (when {@code known} is
   * not null) unknown keys, which are left out.
   */
  Map<String, Entry> entries(MappingNode m, Collection<String> known) {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      Node k = t.getKeyNode();
      if (!(k instanceof ScalarNode ks) || Tag.NULL.equals(ks.getTag())) {
        error(k, "expected a key (a string), got " + describe(k));
        continue;
      }
      String key = ks.getValue();
      if (out.containsKey(key)) {
        error(k, "duplicate key '" + Texts.shorten(key) + "'");
        continue;
      }
      if (known != null && !known.contains(key)) {
        error(k, "unknown key '" + Texts.shorten(key) + "'" + didYouMean(key, known, "'%s'"));
        continue;
      }
      out.put(key, new Entry(key, ks, t.getValueNode()));
    }
    return out;
  }

  /**
   * Checks the ${...} of {@code text}; returns its references. A reference without a fallback
   * must be defined: a variable in scope, or an environment variable that is set now (a dialogue
   * never sends a placeholder, and the environment cannot change before the run).
   */
Set<String> refs(Node node, String text, Set<String> scope) {
    return refs(pos(node), text, scope);
  }

  /** As {@link #refs(Node, String, Set)}, for text that stands at {@code at}. */
    Set<String> refs(SourcePos at, String text, Set<String> scope) {
    if (Vars.unterminated(text) >= 0) {
      problem(at, "'${' is not closed by '}' (write $${ for a literal ${)");
    }
    Set<String> refs = Vars.references(text);
    Set<String> required = Vars.required(text);
    for (String name : refs) {
      if (name.startsWith(Vars.ENV_PREFIX)) {
        String env = name.substring(Vars.ENV_PREFIX.length());
        if (env.isEmpty()) {
          problem(at, "${env:} names no environment variable");
        } else if (required.contains(name) && environment.apply(env) == null) {
          problem(at, "environment variable " + Texts.shorten(env) + " is not set (set it, or "
              + "give a fallback: ${env:" + Texts.shorten(env) + ":-default})");
        }
      } else if (name.isEmpty()) {
        problem(at, "${} names no variable");
      } else if (!scope.contains(name) && required.contains(name) && !inventoryScope) {
        problem(at, "undefined variable ${" + Texts.shorten(name) + "}"
            + didYouMean(name, scope, "${%s}"));
      }
    }
    return refs;
  }

  /**
   * A {@code vars:} mapping: names checked, each value's references checked against
   * {@code outer} and the vars above it.
   */
  Map<String, String> vars(Node node, Set<String> outer) {
    MappingNode m = mapping(node);
    Map<String, String> vars = new LinkedHashMap<>();
    if (m == null) {
      return vars;
    }
    Map<String, Entry> all = entries(m, null);
    Set<String> scope = new HashSet<>(outer);
    for (Entry en : all.values()) {
      if (!NAME.matcher(en.key()).matches()) {
        error(en.keyNode(), "'" + Texts.shorten(en.key()) + "' is not a variable name "
            + "(letters, digits, _ . -, not starting with a digit)");
        continue;
      }
      String v = scalarText(en.value(), "a string, number or boolean");
      if (v != null) {
        boolean early = false;
        for (String ref : Vars.required(v)) {
          if (!ref.startsWith(Vars.ENV_PREFIX) && !scope.contains(ref)
              && all.containsKey(ref)) {
            error(en.value(), "variable ${" + Texts.shorten(ref) + "} is used before it is "
                + "defined (vars may refer only to vars above them)");
            early = true;
          }
        }
        if (!early) {
          refs(en.value(), v, scope);
        }
        vars.put(en.key(), v);
      }
      scope.add(en.key());
    }
    return vars;
  }

  static String didYouMean(String word, Collection<String> candidates, String format) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = DISTANCE.apply(word, c);
      // A cut-short key ("str" for "strip-ansi") is far in edits but plainly meant.
      if (d < 0 && Math.min(word.length(), c.length()) >= 3
          && (c.startsWith(word) || word.startsWith(c))) {
        d = 3;
      }
      if (d >= 0 && d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best == null ? "" : " (did you mean " + String.format(format, best) + "?)";
  }

  String string(Node node) {
    // Numbers and booleans count as their text: `expect: 42` waits for "42".
    if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
      return s.getValue();
    }
    error(node, "expected a string, got " + describe(node));
    return null;
  }

  /** A scalar of any type as its text: numbers and booleans as written. */
  String scalarText(Node node, String expected) {
    if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
      return s.getValue();
    }
    error(node, "expected " + expected + ", got " + describe(node));
    return null;
  }


  boolean bool(Entry entry, boolean otherwise) {
    if (entry == null) {
      return otherwise;
    }
    Node node = entry.value();
    if (node instanceof ScalarNode s && Tag.BOOL.equals(s.getTag())) {
      return Boolean.parseBoolean(s.getValue().toLowerCase(java.util.Locale.ROOT));
    }
    error(node, "expected a boolean (true or false), got " + describe(node));
    return otherwise;
  }

  MappingNode mapping(Node node) {
    if (node instanceof MappingNode m) {
      return m;
    }
    error(node, "expected a mapping, got " + describe(node));
    return null;
  }

  SequenceNode sequence(Node node) {
    if (node instanceof SequenceNode s) {
      return s;
    }
    error(node, "expected a list, got " + describe(node));
    return null;
  }

  /** What a node is, for "expected X, got Y"; never the node's own toString (may recurse). */
  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    if (node instanceof ScalarNode s) {
      Tag t = s.getTag();
      String v = "'" + Texts.shorten(s.getValue()) + "'";
      if (Tag.NULL.equals(t)) {
        return "nothing";
      }
      if (Tag.BOOL.equals(t)) {
        return "a boolean " + v;
      }
      if (Tag.INT.equals(t) || Tag.FLOAT.equals(t)) {
        return "a number " + v;
      }
      return "a string " + v;
    }
    return "something else";
  }

  static String keyText(Node node) {
    return node instanceof ScalarNode s ? Texts.shorten(s.getValue()) : describe(node);
  }

  SourcePos pos(Node node) {
    SourcePos at = node.getStartMark().map(m -> YamlSource.at(file, m))
        .orElse(new SourcePos(file, 1, 1));
    return via == null ? at : new SourcePos(at.file(), at.line(), at.column(), via);
  }

  void error(Node node, String message) {
    problem(pos(node), message);
  }

  void problem(SourcePos at, String message) {
    problems.add(new Problem(at, message));
    checkLimit();
  }

  void checkLimit() {
    if (problems.size() >= MAX_PROBLEMS) {
      throw new TooManyProblems();
    }
  }
}
