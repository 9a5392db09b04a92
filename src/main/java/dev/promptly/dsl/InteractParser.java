package dev.promptly.dsl;

import dev.promptly.dsl.NodeReader.Entry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The {@code interact:} step: {@code {}} or a mapping of {@code escape} ({@code "^]"} caret
 * notation, one character, or {@code none}), {@code until} (a pattern of the child's output, eof
 * included), {@code input-until} (a pattern of what the person types) and {@code on-output}
 * (branches, as an expect step's, played on the child's output meanwhile).
 */
final class InteractParser {
  static final List<String> KEYS = List.of("escape", "until", "input-until", "on-output");

  /** How a branch mapping's entries become a branch (the step parser's own rules). */
  interface Branches {
    Branch branch(Node pattern, Map<String, Entry> entries, SourcePos pos);
  }

  private InteractParser() {
  }

  static Step.Interact interact(NodeReader nodes, PatternParser patterns, Node value,
                                SourcePos pos, Set<String> scope, Branches branches) {
    int before = nodes.problems().size();
    int escape = Step.Interact.DEFAULT_ESCAPE;
    Branch.Pattern until = null;
    Branch.Pattern inputUntil = null;
    List<Branch> onOutput = new ArrayList<>();
    if (value instanceof ScalarNode s && Tag.NULL.equals(s.getTag())) {
      return new Step.Interact(escape, null, null, onOutput, pos);
    }
    if (!(value instanceof MappingNode m)) {
      nodes.error(value, "interact takes a mapping ({} or escape:, until:, input-until:, "
          + "on-output:), got " + NodeReader.describe(value));
      return null;
    }
    Map<String, Entry> e = nodes.entries(m, KEYS);
    if (e.containsKey("escape")) {
      escape = escape(nodes, e.get("escape").value());
    }
    Set<String> groups = new HashSet<>();
    if (e.containsKey("until")) {
      until = patterns.pattern(e.get("until").value(), scope, groups);
      notHere(nodes, e.get("until").value(), until, "until");
    }
    if (e.containsKey("input-until")) {
      inputUntil = patterns.pattern(e.get("input-until").value(), scope, groups);
      if (inputUntil instanceof Branch.Pattern.Eof) {
        inputUntil = null; // the end of the person's input always ends the interaction
      }
      notHere(nodes, e.get("input-until").value(), inputUntil, "input-until");
    }
    if (e.containsKey("on-output")) {
      SequenceNode seq = nodes.sequence(e.get("on-output").value());
      for (Node item : seq == null ? List.<Node>of() : seq.getValue()) {
        if (!(item instanceof MappingNode bm)) {
          nodes.error(item, "expected a branch mapping (match: ...), got "
              + NodeReader.describe(item));
          continue;
        }
        Map<String, Entry> be = nodes.entries(bm, List.of("match", "send", "sendline", "secret",
            "fail"));
        if (!be.containsKey("match")) {
          nodes.error(bm, "an on-output branch needs 'match:' (text or {regex: ...})");
          continue;
        }
        Branch b = branches.branch(be.get("match").value(), be, nodes.pos(bm));
        if (b != null) {
          notHere(nodes, be.get("match").value(), b.pattern(), "on-output");
          onOutput.add(b);
        }
      }
    }
    if (escape < 0 && until == null && inputUntil == null) {
      nodes.error(m, "with escape: none, an interaction needs until: or input-until: to end");
    }
    return nodes.problems().size() != before ? null
        : new Step.Interact(escape, until, inputUntil, onOutput, pos);
  }

  /** Screen and timeout patterns have no meaning here (nor eof, but for until). */
  private static void notHere(NodeReader nodes, Node node, Branch.Pattern p, String key) {
    if (p instanceof Branch.Pattern.Screen || p instanceof Branch.Pattern.Timeout
        || (p instanceof Branch.Pattern.Eof && !key.equals("until"))) {
      nodes.error(node, key + " takes text or {regex: ...}"
          + (key.equals("until") ? " or eof" : ""));
    }
  }

  /** "^]" (caret notation), one character, or "none". */
  private static int escape(NodeReader nodes, Node node) {
    String text = nodes.string(node);
    if (text == null) {
      return Step.Interact.DEFAULT_ESCAPE;
    }
    if (text.equals("none")) {
      return -1;
    }
    if (text.length() == 2 && text.charAt(0) == '^') {
      char c = Character.toUpperCase(text.charAt(1));
      if (c == '?') {
        return 0x7f;
      }
      if (c >= '@' && c <= '_') {
        return c - '@';
      }
    }
    if (text.codePointCount(0, text.length()) == 1) {
      return text.codePointAt(0);
    }
    nodes.error(node, "escape is one key: caret notation such as \"^]\" (the default), one "
        + "character, or none; got '" + Texts.shorten(text) + "'");
    return Step.Interact.DEFAULT_ESCAPE;
  }
}
