package dev.promptly.dsl;

import dev.promptly.dsl.NodeReader.Entry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Patterns as written: a plain string (literal text, or {@code eof} and {@code timeout}),
 * {@code {regex: ...}}, {@code {literal: ...}} and {@code {screen: ...}}. Regexes are compiled
 * here once, so a bad one is a problem at its line and column, never a failed run.
 */
final class PatternParser {
  static final List<String> PATTERN_KEYS = List.of("regex", "literal");

  private final NodeReader nodes;
  /** The first screen pattern of the dialogue being parsed (it needs a pty), or null. */
  private Node screenAt;

  PatternParser(NodeReader nodes) {
    this.nodes = nodes;
  }

  /** The first {@code screen:} pattern since the last call, or null; starts afresh. */
  Node takeScreenAt() {
    Node at = screenAt;
    screenAt = null;
    return at;
  }

  /** A pattern; named groups of a regex are added to {@code groups}. Null after a problem. */
  Branch.Pattern pattern(Node node, Set<String> scope, Set<String> groups) {
    if (node instanceof MappingNode m && m.getValue().size() == 1
        && m.getValue().get(0).getKeyNode() instanceof ScalarNode k
        && k.getValue().equals("screen")) {
      return screen(m.getValue().get(0).getValueNode(), scope, groups);
    }
    if (node instanceof MappingNode m) {
      Map<String, Entry> e = nodes.entries(m, PATTERN_KEYS);
      if (e.size() != 1) {
        if (e.size() > 1 || m.getValue().isEmpty()) {
          nodes.error(m, "a pattern mapping holds exactly one of regex or literal");
        }
        return null;
      }
      Entry only = e.values().iterator().next();
      String text = nodes.string(only.value());
      if (text == null) {
        return null;
      }
      if (text.isEmpty()) {
        nodes.error(only.value(), "an empty " + only.key() + " matches nothing useful");
        return null;
      }
      nodes.refs(only.value(), text, scope);
      if (only.key().equals("literal")) {
        return new Branch.Pattern.Literal(text);
      }
      try {
        Regexes.compileForCheck(text);
      } catch (PatternSyntaxException ex) {
        // The JDK calls a trailing lone backslash an "Unexpected internal error".
        String why = ex.getDescription().startsWith("Unexpected internal error")
            && text.endsWith("\\") ? "a lone '\\' at the end escapes nothing"
            : Texts.oneLine(ex.getDescription());
        nodes.error(only.value(), "bad regex: " + why
            + (ex.getIndex() >= 0 ? " near index " + ex.getIndex() : ""));
        return null;
      }
      groups.addAll(Regexes.namedGroups(Vars.substitute(text, n -> Regexes.PLACEHOLDER)));
      return new Branch.Pattern.Regex(text);
    }
    if (!(node instanceof ScalarNode s) || Tag.NULL.equals(s.getTag())) {
      nodes.error(node, "expected a pattern (text, {regex: ...}, {literal: ...}, eof or "
          + "timeout), got "
          + NodeReader.describe(node));
      return null;
    }
    String text = s.getValue();
    if (text.equals("eof")) {
      return new Branch.Pattern.Eof();
    }
    if (text.equals("timeout")) {
      return new Branch.Pattern.Timeout();
    }
    if (text.isEmpty()) {
      nodes.error(node, "an empty pattern matches nothing useful");
      return null;
    }
    nodes.refs(node, text, scope);
    return new Branch.Pattern.Literal(text);
  }

  /** {@code screen: TEXT} or {@code screen: {regex: ...}}: what a pty's screen shows. */
  private Branch.Pattern screen(Node value, Set<String> scope, Set<String> groups) {
    if (screenAt == null) {
      screenAt = value;
    }
    if (value instanceof MappingNode) {
      Branch.Pattern inner = pattern(value, scope, groups);
      if (inner instanceof Branch.Pattern.Regex r) {
        return new Branch.Pattern.Screen(r.source(), true);
      }
      return inner instanceof Branch.Pattern.Literal l ? new Branch.Pattern.Screen(l.text(), false)
          : null;
    }
    String text = nodes.string(value);
    if (text == null) {
      return null;
    }
    if (text.isBlank()) {
      nodes.error(value, "an empty screen pattern matches nothing useful");
      return null;
    }
    nodes.refs(value, text, scope);
    return new Branch.Pattern.Screen(text, false);
  }
}
