package dev.promptly.dsl;

import dev.promptly.dsl.NodeReader.Entry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The {@code steps:} of a dialogue: each step (expect, send, sendline, close, signal) and the
 * branches of an expect step, with the variables each one may use. A regex's named groups are
 * variables for the steps after it (and for the sibling branches of a step that loops with
 * {@code again}).
 */
final class StepParser {
  static final List<String> STEP_KEYS = List.of("expect", "send", "sendline", "close", "signal",
      "secret", "again", "fail", "timeout", "steps", "interact", "when",
      "include", "vars", "sleep", "set", "log", "retry");
  static final List<String> BRANCH_KEYS = List.of("match", "send", "sendline", "secret",
      "again", "fail", "steps", "when");
  static final List<String> RETRY_KEYS = List.of("times", "delay");
  /** An {@code always:} branch goes on waiting by itself: {@code again} would say nothing. */
  static final List<String> ALWAYS_KEYS = BRANCH_KEYS.stream()
      .filter(k -> !k.equals("again")).toList();

  private final NodeReader nodes;
  private final PatternParser patterns;

  StepParser(NodeReader nodes, PatternParser patterns) {
    this.nodes = nodes;
    this.patterns = patterns;
  }

  /** The steps of {@code node} (a list); what they capture is added to {@code captures}. */
  List<Step> steps(Node node, Set<String> outer, Set<String> captures) {
    List<Step> steps = new ArrayList<>();
    SequenceNode seq = nodes.sequence(node);
    if (seq == null) {
      return steps;
    }
    // Named groups of a regex become variables for the steps after it.
    Set<String> scope = new HashSet<>(outer);
    for (Node item : seq.getValue()) {
      if (!(item instanceof MappingNode m)) {
        nodes.error(item, "expected a mapping (a step such as expect: or send:), got "
            + NodeReader.describe(item));
        continue;
      }
      Set<String> found = new LinkedHashSet<>();
      Step s = step(m, scope, found);
      scope.addAll(found);
      captures.addAll(found);
      if (s != null) {
        steps.add(s);
      }
    }
    return steps;
  }

  /** A step, in a {@link Step.When} when it has a condition. */
  private Step step(MappingNode m, Set<String> scope, Set<String> captures) {
    Map<String, Entry> e = nodes.entries(m, STEP_KEYS);
    Entry when = e.remove("when");
    Condition condition = when == null ? null
        : ConditionParser.parse(nodes, when.value(), scope);
    Entry retry = e.remove("retry");
    Step s = form(m, e, when != null || retry != null, scope, captures);
    if (retry != null && s != null) {
      s = retry(retry.value(), s);
    }
    if (s == null || when != null && condition == null) {
      return null;
    }
    return condition == null ? s : new Step.When(condition, s);
  }

  /** {@code retry: N} or {@code retry: {times: N, delay: D}} around {@code s}. */
  private Step retry(Node node, Step s) {
    Node times = node;
    Duration delay = Duration.ZERO;
    if (node instanceof MappingNode rm) {
      Map<String, Entry> re = nodes.entries(rm, RETRY_KEYS);
      if (!re.containsKey("times")) {
        nodes.error(rm, "retry needs times: (how many more tries after a failure)");
        return null;
      }
      times = re.get("times").value();
      if (re.containsKey("delay")) {
        delay = nodes.duration(re.get("delay").value());
        if (delay == null) {
          return null;
        }
      }
    }
    String n = nodes.scalarText(times, "a number of tries");
    if (n == null) {
      return null;
    }
    if (!n.strip().matches("\\d{1,3}") || Integer.parseInt(n.strip()) < 1
        || Integer.parseInt(n.strip()) > Step.Retry.MAX_TIMES) {
      nodes.error(times, "retry times: expected a number from 1 to " + Step.Retry.MAX_TIMES
          + ", got '" + Texts.shorten(n) + "'");
      return null;
    }
    return new Step.Retry(Integer.parseInt(n.strip()), delay, s);
  }

  /** The step itself, from its keys but {@code when}. */
  private Step form(MappingNode m, Map<String, Entry> e, boolean guarded, Set<String> scope,
                    Set<String> captures) {
    String form;
    if (e.containsKey("expect")) {
      form = e.get("expect").value() instanceof SequenceNode ? "branches" : "expect";
    } else if (e.containsKey("close")) {
      form = "close";
    } else if (e.containsKey("signal")) {
      form = "signal";
    } else if (e.containsKey("send") || e.containsKey("sendline")) {
      form = "send";
    } else if (e.containsKey("interact")) {
      form = "interact";
    } else if (e.containsKey("include")) {
      form = "include";
    } else if (e.containsKey("sleep")) {
      form = "sleep";
    } else if (e.containsKey("set")) {
      form = "set";
    } else if (e.containsKey("log")) {
      form = "log";
    } else {
      if (m.getValue().isEmpty() || !e.isEmpty() || guarded) {
        nodes.error(m, "a step needs one of expect, send, sendline, close, signal, interact, "
            + "include, sleep, set or log");
      }
      return null;
    }
    List<String> allowed = switch (form) {
      case "branches" -> List.of("expect", "timeout");
      case "expect" -> STEP_KEYS.stream()
          .filter(k -> !k.equals("close") && !k.equals("signal")).toList();
      case "close" -> List.of("close");
      case "include" -> List.of("include", "vars");
      case "sleep" -> List.of("sleep");
      case "set" -> List.of("set");
      case "log" -> List.of("log");
      case "signal" -> List.of("signal");
      case "interact" -> List.of("interact");
      default -> List.of("send", "sendline", "secret");
    };
    boolean misplaced = false;
    for (Entry en : e.values()) {
      if (allowed.contains(en.key())) {
        continue;
      }
      misplaced = true;
      String k = en.key();
      if (form.equals("branches")) {
        nodes.error(en.keyNode(), "'" + k + "' does not belong next to a list of branches; "
            + "put it in a branch");
      } else if (k.equals("timeout")) {
        nodes.error(en.keyNode(), "'timeout' applies only to expect steps");
      } else if (form.equals("send") && (k.equals("again") || k.equals("fail")
          || k.equals("steps"))) {
        nodes.error(en.keyNode(), "'" + k + "' belongs to an expect step or branch");
      } else {
        String main = form.equals("send") ? (e.containsKey("send") ? "send" : "sendline")
            : form;
        nodes.error(en.keyNode(), "'" + k + "' cannot share a step with '" + main
            + "'; make it a step of its own");
      }
    }
    SourcePos pos = nodes.pos(m);
    switch (form) {
      case "sleep" -> {
        Duration d = nodes.duration(e.get("sleep").value());
        return d == null || misplaced ? null : new Step.Sleep(d, pos);
      }
      case "set" -> {
        Node v = e.get("set").value();
        if (v instanceof MappingNode sm && sm.getValue().isEmpty()) {
          nodes.error(v, "set names no variable (set: {name: value})");
        }
        Map<String, String> values = nodes.vars(v, scope);
        captures.addAll(values.keySet());
        return misplaced || values.isEmpty() ? null : new Step.SetVars(values, pos);
      }
      case "log" -> {
        Node v = e.get("log").value();
        String text = nodes.scalarText(v, "the text to log");
        if (text != null) {
          nodes.refs(v, text, scope);
        }
        return text == null || misplaced ? null : new Step.Log(text, pos);
      }
      case "include" -> {
        Step s = IncludeParser.parse(nodes, e.get("include"), e.get("vars"), pos, scope,
            captures);
        return misplaced ? null : s;
      }
      case "interact" -> {
        Step s = InteractParser.interact(nodes, patterns, e.get("interact").value(), pos, scope,
            (n, en, bpos) -> branch(n, en, bpos, scope, captures));
        return misplaced ? null : s;
      }
      case "close" -> {
        Node v = e.get("close").value();
        String what = nodes.string(v);
        if (what != null && !what.equals("stdin")) {
          nodes.error(v, "close takes only 'stdin', got '" + Texts.shorten(what) + "'");
        }
        return misplaced ? null : new Step.Close(pos);
      }
      case "signal" -> {
        Node v = e.get("signal").value();
        String what = nodes.string(v);
        int n = what == null ? -1 : dev.promptly.process.Signals.number(what);
        if (what != null && n < 0) {
          nodes.error(v, "unknown signal '" + Texts.shorten(what)
              + "' (use TERM, INT, HUP, KILL, ...)");
        }
        return misplaced || n < 0 ? null : new Step.Signal(n, pos);
      }
      case "send" -> {
        Step.Send.Text text = sendText(e, scope);
        return text == null || misplaced ? null : new Step.Send(text, pos);
      }
      default -> {
        Duration timeout = e.containsKey("timeout")
            ? nodes.duration(e.get("timeout").value()) : null;
        List<Branch> branches = new ArrayList<>();
        if (form.equals("expect")) {
          Branch b = branch(e.get("expect").value(), e, pos, scope, captures);
          if (b != null) {
            branches.add(b);
          }
        } else {
          SequenceNode seq = (SequenceNode) e.get("expect").value();
          if (seq.getValue().isEmpty()) {
            nodes.error(seq, "expect lists no branches");
          }
          // What an `again` branch captures is set for its siblings once it has matched (the step
          // loops); a sibling reached before that fails at run time, naming the variable.
          Set<String> siblings = new HashSet<>(scope);
          siblings.addAll(againCaptures(seq));
          for (Node item : seq.getValue()) {
            Branch b = branchItem(item, BRANCH_KEYS, siblings, captures);
            if (b != null) {
              branches.add(b);
            }
          }
        }
        if (branches.size() > 1) {
          for (Branch b : branches) {
            if (b.pattern() instanceof Branch.Pattern.Screen) {
              // The screen is matched apart from the byte stream: no earliest match between them.
              nodes.problems().add(new Problem(b.pos(), "a screen pattern must be the only "
                  + "pattern of its step; make the other branches a step of their own"));
              nodes.checkLimit();
              break;
            }
          }
        }
        return misplaced ? null : new Step.Expect(branches, timeout, pos);
      }
    }
  }

  /**
   * The dialogue's {@code always:} branches: text or regex patterns only (eof, timeout and the
   * screen belong to a step), checked with every expect step's own branches.
   */
  List<Branch> always(Node node, Set<String> scope, Set<String> captures) {
    List<Branch> branches = new ArrayList<>();
    SequenceNode seq = nodes.sequence(node);
    if (seq == null) {
      return branches;
    }
    if (seq.getValue().isEmpty()) {
      nodes.error(seq, "always lists no branches");
    }
    for (Node item : seq.getValue()) {
      Branch b = branchItem(item, ALWAYS_KEYS, scope, captures);
      if (b == null) {
        continue;
      }
      if (b.pattern() instanceof Branch.Pattern.Eof || b.pattern() instanceof Branch.Pattern.Timeout
          || b.pattern() instanceof Branch.Pattern.Screen) {
        nodes.error(match(item), "an always branch waits for text or a regex; eof, timeout and "
            + "screen belong to a step's own branches");
        continue;
      }
      branches.add(b);
    }
    return branches;
  }

  /** One branch mapping of a list ({@code match:} and what to do), or null after a problem. */
  private Branch branchItem(Node item, List<String> keys, Set<String> scope,
                            Set<String> captures) {
    if (!(item instanceof MappingNode bm)) {
      nodes.error(item, "expected a branch mapping (match: ...), got "
          + NodeReader.describe(item));
      return null;
    }
    Map<String, Entry> be = nodes.entries(bm, keys);
    if (!be.containsKey("match")) {
      nodes.error(bm, "a branch needs 'match:' (text, {regex: ...}, eof or timeout)");
      return null;
    }
    return branch(be.get("match").value(), be, nodes.pos(bm), scope, captures);
  }

  /** The value of a branch mapping's {@code match:} (the mapping itself if it has none). */
  private static Node match(Node branch) {
    if (branch instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("match")) {
          return t.getValueNode();
        }
      }
    }
    return branch;
  }

  /** Named groups of the regexes of the branches marked {@code again: true} (no checks). */
  private static Set<String> againCaptures(SequenceNode branches) {
    Set<String> names = new LinkedHashSet<>();
    for (Node item : branches.getValue()) {
      if (!(item instanceof MappingNode bm)) {
        continue;
      }
      Node again = null;
      Node match = null;
      for (NodeTuple t : bm.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k) {
          if (k.getValue().equals("again")) {
            again = t.getValueNode();
          } else if (k.getValue().equals("match")) {
            match = t.getValueNode();
          }
        }
      }
      if (!(again instanceof ScalarNode a && a.getValue().equals("true"))
          || !(match instanceof MappingNode mm)) {
        continue;
      }
      for (NodeTuple t : mm.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("regex")
            && t.getValueNode() instanceof ScalarNode r) {
          names.addAll(Regexes.namedGroups(Vars.substitute(r.getValue(),
              n -> Regexes.PLACEHOLDER)));
        }
      }
    }
    return names;
  }

  /** A branch from its pattern node and the send/secret/again/fail entries next to it. */
  private Branch branch(Node patternNode, Map<String, Entry> e, SourcePos pos,
                        Set<String> scope, Set<String> captures) {
    // Tested before the branch is waited for: its own groups are not set yet.
    Condition when = e.containsKey("when")
        ? ConditionParser.parse(nodes, e.get("when").value(), scope) : null;
    Set<String> groups = new LinkedHashSet<>();
    Branch.Pattern pattern = patterns.pattern(patternNode, scope, groups);
    captures.addAll(groups);
    // A branch's own groups are set by its match, before it sends or fails.
    Set<String> own = new HashSet<>(scope);
    own.addAll(groups);
    Step.Send.Text send = null;
    if (e.containsKey("send") || e.containsKey("sendline")) {
      send = sendText(e, own);
    } else if (e.containsKey("secret")) {
      nodes.error(e.get("secret").keyNode(), "'secret' needs send or sendline next to it");
    }
    boolean again = nodes.bool(e.get("again"), false);
    String fail = null;
    if (e.containsKey("fail")) {
      Node fn = e.get("fail").value();
      fail = nodes.string(fn);
      if (fail != null) {
        nodes.refs(fn, fail, own);
      }
      if (e.containsKey("send") || e.containsKey("sendline")) {
        nodes.error(e.get("fail").keyNode(), "a branch that fails sends nothing; "
            + "drop 'fail' or the send");
      }
      if (again) {
        nodes.error(e.get("fail").keyNode(), "a branch cannot both fail and match 'again'");
      }
    }
    if (again && pattern instanceof Branch.Pattern.Eof) {
      nodes.error(e.get("again").keyNode(), "'again' after eof would match eof forever");
    }
    List<Step> inner = List.of();
    if (e.containsKey("steps")) {
      if (fail != null) {
        nodes.error(e.get("steps").keyNode(), "a branch that fails plays no steps; "
            + "drop 'fail' or 'steps'");
      }
      Node sn = e.get("steps").value();
      if (sn instanceof SequenceNode sq && sq.getValue().isEmpty()) {
        nodes.error(sn, "steps lists no step");
      }
      // What the branch's steps capture is defined after the enclosing step, as any capture.
      inner = steps(sn, own, captures);
    }
    if (pattern == null) {
      return null;
    }
    if (e.containsKey("when") && when == null) {
      return null;
    }
    return new Branch(pattern, send, again, fail, inner, when, pos);
  }

  private Step.Send.Text sendText(Map<String, Entry> e, Set<String> scope) {
    Entry send = e.get("send");
    Entry line = e.get("sendline");
    if (send != null && line != null) {
      nodes.error(line.keyNode(), "use either send or sendline, not both");
      return null;
    }
    Entry which = send != null ? send : line;
    boolean secret = nodes.bool(e.get("secret"), false);
    Node node = which.value();
    if (node instanceof ScalarNode s && Tag.NULL.equals(s.getTag())) {
      nodes.error(node, "expected the text to send, got nothing (write \"\" for no text)");
      return null;
    }
    String raw = nodes.string(node);
    if (raw == null) {
      return null;
    }
    String text = raw;
    // YAML already decoded the escapes of a double-quoted scalar; decoding again would be wrong.
    if (((ScalarNode) node).getScalarStyle() != ScalarStyle.DOUBLE_QUOTED) {
      try {
        text = Escapes.decode(raw);
      } catch (IllegalArgumentException ex) {
        nodes.error(node, ex.getMessage());
        return null;
      }
    }
    nodes.refs(node, text, scope);
    return new Step.Send.Text(text, line != null, secret);
  }

}
