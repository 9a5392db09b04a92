package dev.promptly.dsl.inventory;

import dev.promptly.dsl.Problem;
import dev.promptly.dsl.SourcePos;
import dev.promptly.dsl.YamlSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/** Reads the two forms of an Ansible inventory; every problem has FILE:LINE:COLUMN. */
final class InventoryReader {
  private static final Pattern RANGE = Pattern.compile("\\[([0-9]+|[a-z]):([0-9]+|[a-z])\\]");
  private static final Pattern SECTION = Pattern.compile("\\[([^\\]:]+)(?::(\\w+))?\\]\\s*");
  private static final int MAX_RANGE_HOSTS = 10_000;

  private InventoryReader() {
  }

  static Inventory read(Path file, List<Problem> problems) {
    int before = problems.size();
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    boolean yaml = name.endsWith(".yml") || name.endsWith(".yaml") || name.endsWith(".json");
    if (!yaml) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        problems.add(new Problem(new SourcePos(file, 1, 1), "cannot read inventory: "
            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
        return null;
      }
      yaml = looksLikeYaml(text);
      if (!yaml) {
        Inventory inv = new Inventory(file);
        readIni(inv, file, text, problems);
        inv.seal();
        return problems.size() == before ? inv : null;
      }
    }
    Optional<Node> root = YamlSource.compose(file, problems);
    if (root == null) {
      return null;
    }
    Inventory inv = new Inventory(file);
    if (root.isPresent()) {
      if (root.get() instanceof MappingNode m) {
        for (NodeTuple t : m.getValue()) {
          String group = key(file, t, problems);
          if (group != null) {
            readYamlGroup(inv, file, group, t.getValueNode(), problems, 0);
          }
        }
      } else {
        problems.add(new Problem(pos(file, root.get()), "an inventory is a mapping of groups "
            + "(all:, with hosts:, children:, vars:)"));
      }
    }
    inv.seal();
    return problems.size() == before ? inv : null;
  }

  private static boolean looksLikeYaml(String text) {
    for (String line : text.split("\n", -1)) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#") || t.startsWith(";") || t.equals("---")) {
        continue;
      }
      return !t.startsWith("[") && t.endsWith(":") || t.startsWith("{");
    }
    return false;
  }

  // ---- YAML ----

  private static void readYamlGroup(Inventory inv, Path file, String group, Node node,
                                    List<Problem> problems, int depth) {
    Inventory.Group g = inv.group(group);
    if (isNull(node)) {
      return;
    }
    if (!(node instanceof MappingNode m)) {
      problems.add(new Problem(pos(file, node), "group '" + group
          + "': expected a mapping with hosts:, children:, vars:"));
      return;
    }
    if (depth > 64) {
      problems.add(new Problem(pos(file, node), "groups nested too deeply"));
      return;
    }
    for (NodeTuple t : m.getValue()) {
      String k = key(file, t, problems);
      if (k == null) {
        continue;
      }
      Node v = t.getValueNode();
      switch (k) {
        case "hosts" -> {
          if (isNull(v)) {
            break;
          }
          if (!(v instanceof MappingNode hosts)) {
            problems.add(new Problem(pos(file, v), "hosts: expected a mapping of host names"));
            break;
          }
          for (NodeTuple h : hosts.getValue()) {
            String host = key(file, h, problems);
            if (host == null) {
              continue;
            }
            for (String expanded : expand(host, file, pos(file, h.getKeyNode()), problems)) {
              g.hosts.add(expanded);
              readVars(inv.host(expanded), file, h.getValueNode(), "host '" + host + "'",
                  problems);
            }
          }
        }
        case "vars" -> readVars(g.vars, file, v, "vars of '" + group + "'", problems);
        case "children" -> {
          if (isNull(v)) {
            break;
          }
          if (!(v instanceof MappingNode children)) {
            problems.add(new Problem(pos(file, v), "children: expected a mapping of groups"));
            break;
          }
          for (NodeTuple c : children.getValue()) {
            String child = key(file, c, problems);
            if (child != null) {
              g.children.add(child);
              readYamlGroup(inv, file, child, c.getValueNode(), problems, depth + 1);
            }
          }
        }
        default -> problems.add(new Problem(pos(file, t.getKeyNode()), "group '" + group
            + "': unknown key '" + k + "' (expected hosts, children, vars)"));
      }
    }
  }

  private static void readVars(Map<String, String> into, Path file, Node node, String what,
                               List<Problem> problems) {
    if (isNull(node)) {
      return;
    }
    if (!(node instanceof MappingNode m)) {
      problems.add(new Problem(pos(file, node), what + ": expected a mapping of variables"));
      return;
    }
    for (NodeTuple t : m.getValue()) {
      String k = key(file, t, problems);
      if (k != null) {
        into.put(k, text(t.getValueNode()));
      }
    }
  }

  /** A value as text: scalars as written, lists and maps in YAML's flow form. */
  private static String text(Node n) {
    if (n instanceof ScalarNode s) {
      return isNull(n) ? "" : s.getValue();
    }
    if (n instanceof SequenceNode s) {
      List<String> items = new ArrayList<>();
      s.getValue().forEach(i -> items.add(text(i)));
      return "[" + String.join(", ", items) + "]";
    }
    if (n instanceof MappingNode m) {
      List<String> items = new ArrayList<>();
      m.getValue().forEach(t -> items.add(text(t.getKeyNode()) + ": " + text(t.getValueNode())));
      return "{" + String.join(", ", items) + "}";
    }
    return "";
  }

  private static boolean isNull(Node n) {
    return n instanceof ScalarNode s && s.getTag().getValue().endsWith(":null");
  }

  private static String key(Path file, NodeTuple t, List<Problem> problems) {
    if (t.getKeyNode() instanceof ScalarNode s && !isNull(s)) {
      return s.getValue();
    }
    problems.add(new Problem(pos(file, t.getKeyNode()), "expected a name"));
    return null;
  }

  private static SourcePos pos(Path file, Node n) {
    return n.getStartMark().map(m -> YamlSource.at(file, m)).orElse(new SourcePos(file, 1, 1));
  }

  // ---- INI ----

  private static void readIni(Inventory inv, Path file, String text, List<Problem> problems) {
    String section = "ungrouped";
    String kind = "hosts";
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String raw = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1)
          : lines[i];
      String line = raw.strip();
      int col = raw.indexOf(line.isEmpty() ? "" : line.substring(0, 1)) + 1;
      SourcePos at = new SourcePos(file, i + 1, Math.max(col, 1));
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[")) {
        Matcher m = SECTION.matcher(line);
        if (!m.matches()) {
          problems.add(new Problem(at, "not a section header: expected [group], "
              + "[group:vars] or [group:children]"));
          continue;
        }
        section = m.group(1).strip();
        kind = m.group(2) == null ? "hosts" : m.group(2);
        if (!kind.equals("hosts") && !kind.equals("vars") && !kind.equals("children")) {
          problems.add(new Problem(new SourcePos(file, i + 1, col + m.start(2)),
              "unknown section kind ':" + kind + "' (expected :vars or :children)"));
          kind = "skip";
          continue;
        }
        inv.group(section);
        continue;
      }
      List<String> words = words(line, at, problems);
      if (words == null || words.isEmpty()) {
        continue;
      }
      switch (kind) {
        case "hosts" -> {
          String host = words.get(0);
          String port = null;
          int colon = host.lastIndexOf(':');
          if (colon > 0 && host.indexOf(':') == colon && !host.endsWith("]")
              && host.substring(colon + 1).matches("[0-9]+")) {
            port = host.substring(colon + 1);
            host = host.substring(0, colon);
          }
          for (String h : expand(host, file, at, problems)) {
            if (!section.equals("ungrouped")) {
              inv.group(section).hosts.add(h);
            }
            Map<String, String> vars = inv.host(h);
            if (port != null) {
              vars.put("ansible_port", port);
            }
            assign(vars, words.subList(1, words.size()), at, problems);
          }
        }
        case "vars" -> assign(inv.group(section).vars, words, at, problems);
        case "children" -> {
          inv.group(words.get(0));
          inv.group(section).children.add(words.get(0));
        }
        default -> {
        }
      }
    }
  }

  private static void assign(Map<String, String> vars, List<String> words, SourcePos at,
                             List<Problem> problems) {
    for (String w : words) {
      int eq = w.indexOf('=');
      if (eq <= 0) {
        problems.add(new Problem(at, "'" + w + "': expected name=value"));
        continue;
      }
      vars.put(w.substring(0, eq).strip(), w.substring(eq + 1));
    }
  }

  /**
   * Words of an INI line, shell-like: quotes group (and are removed), an unquoted {@code #}
   * after a space starts a comment.
   */
  private static List<String> words(String line, SourcePos at, List<Problem> problems) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          cur.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else if (c == '#' && !inWord) {
        break;
      } else {
        cur.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      problems.add(new Problem(at, "unterminated quote"));
      return null;
    }
    if (inWord) {
      out.add(cur.toString());
    }
    return out;
  }

  /** Ansible's host ranges: {@code web[01:03]} gives web01, web02, web03 ({@code [a:c]} too). */
  static List<String> expand(String host, Path file, SourcePos at, List<Problem> problems) {
    Matcher m = RANGE.matcher(host);
    if (!m.find()) {
      return List.of(host);
    }
    String from = m.group(1);
    String to = m.group(2);
    List<String> values = new ArrayList<>();
    if (from.chars().allMatch(Character::isDigit) && to.chars().allMatch(Character::isDigit)) {
      long a = Long.parseLong(from);
      long b = Long.parseLong(to);
      if (b < a || b - a >= MAX_RANGE_HOSTS) {
        problems.add(new Problem(at, "host range [" + from + ":" + to + "] is empty or larger than "
            + MAX_RANGE_HOSTS));
        return List.of();
      }
      String fmt = from.length() > 1 && from.startsWith("0") ? "%0" + from.length() + "d" : "%d";
      for (long v = a; v <= b; v++) {
        values.add(String.format(fmt, v));
      }
    } else if (from.length() == 1 && to.length() == 1 && Character.isLetter(from.charAt(0))
        && Character.isLetter(to.charAt(0)) && from.charAt(0) <= to.charAt(0)) {
      for (char c = from.charAt(0); c <= to.charAt(0); c++) {
        values.add(String.valueOf(c));
      }
    } else {
      problems.add(new Problem(at, "host range [" + from + ":" + to + "] is not a range"));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    String rest = host.substring(m.end());
    for (String v : values) {
      for (String tail : expand(rest, file, at, problems)) {
        out.add(host.substring(0, m.start()) + v + tail);
      }
    }
    return out;
  }
}
