package dev.promptly.dsl;

import dev.promptly.dsl.NodeReader.Entry;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Walks the node tree of one file into dialogues: the file's shape ({@code dialogues:} or one
 * dialogue) and each dialogue's own keys. Steps are {@link StepParser}'s, patterns
 * {@link PatternParser}'s, and reading nodes (types, keys, references, problems) is
 * {@link NodeReader}'s. Every problem is recorded instead of stopping at the first. It never
 * descends into parts of the tree it does not expect, so shared (aliased) or self-referencing
 * nodes cannot make it loop or blow up.
 */
final class DialogueParser {
  static final int MAX_PROBLEMS = NodeReader.MAX_PROBLEMS;

  static final List<String> DIALOGUE_KEYS = List.of("name", "command", "shell", "pty", "cwd",
      "env", "timeout", "vars", "secret", "matrix", "exit", "size", "echo", "strip-ansi",
      "crlf", "quiet", "steps", "ssh", "hosts", "always");

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,5})[xX](\\d{1,5})");

  private final Path file;
  private final Map<String, String> cliVars;
  private final NodeReader nodes;
  private final PatternParser patterns;
  private final StepParser stepParser;

  DialogueParser(Path file, Map<String, String> cliVars, List<Problem> problems) {
    this.file = file;
    this.cliVars = cliVars;
    this.nodes = new NodeReader(file, problems);
    this.patterns = new PatternParser(nodes);
    this.stepParser = new StepParser(nodes, patterns);
  }

  List<Dialogue> parse(Node root) {
    List<Dialogue> out = new ArrayList<>();
    String base = baseName(file);
    if (!(root instanceof MappingNode m)) {
      nodes.error(root, "expected a mapping (one dialogue) or 'dialogues:' with a list, got "
          + NodeReader.describe(root));
      return out;
    }
    Node list = null;
    for (NodeTuple t : m.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && "dialogues".equals(k.getValue())) {
        list = t.getValueNode();
      }
    }
    if (list == null) {
      add(out, dialogue(m, base));
      return out;
    }
    for (NodeTuple t : m.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k && "dialogues".equals(k.getValue()))) {
        nodes.error(t.getKeyNode(), "'" + NodeReader.keyText(t.getKeyNode())
            + "' does not belong next to "
            + "'dialogues:'; put it in each dialogue");
      }
    }
    SequenceNode seq = nodes.sequence(list);
    if (seq == null) {
      return out;
    }
    if (seq.getValue().isEmpty()) {
      nodes.error(list, "'dialogues' lists no dialogue");
    }
    int i = 0;
    for (Node item : seq.getValue()) {
      i++;
      if (item instanceof MappingNode dm) {
        add(out, dialogue(dm, base + "-" + i));
      } else {
        nodes.error(item, "expected a mapping (a dialogue), got " + NodeReader.describe(item));
      }
    }
    return out;
  }

  private static void add(List<Dialogue> out, Dialogue d) {
    if (d != null) {
      out.add(d);
    }
  }

  /** One dialogue, or null when it had problems (they are recorded). */
  private Dialogue dialogue(MappingNode m, String defaultName) {
    int before = nodes.problems().size();
    Map<String, Entry> e = nodes.entries(m, DIALOGUE_KEYS);

    // matrix and vars first: every other string may refer to them, wherever they are written.
    Map<String, List<String>> matrix = e.containsKey("matrix")
        ? matrix(e.get("matrix").value()) : Map.of();
    Set<String> scope = new HashSet<>(cliVars.keySet());
    scope.addAll(matrix.keySet());
    Map<String, String> vars = e.containsKey("vars")
        ? nodes.vars(e.get("vars").value(), scope) : Map.of();
    scope.addAll(vars.keySet());
    // With hosts:, names may come from the inventory: checked when each run starts.
    nodes.inventoryScope = e.containsKey("hosts");
    Dialogue.Hosts hosts = e.containsKey("hosts") ? hosts(e.get("hosts").value()) : null;
    Dialogue.Ssh ssh = e.containsKey("ssh") ? ssh(e.get("ssh").value(), scope) : null;

    String name = defaultName;
    if (e.containsKey("name")) {
      String n = nodes.string(e.get("name").value());
      if (n != null && n.isBlank()) {
        nodes.error(e.get("name").value(), "name is empty");
      } else if (n != null) {
        // Substituted when the runs are planned: matrix values, --var, vars and the environment.
        nodes.refs(e.get("name").value(), n, scope);
        name = n;
      }
    }
    boolean shell = nodes.bool(e.get("shell"), false);
    // A replayed recording is a terminal's output: a pty unless said otherwise.
    boolean pty = nodes.bool(e.get("pty"), e.containsKey("command")
        && e.get("command").value() instanceof MappingNode);
    boolean echo = nodes.bool(e.get("echo"), true);
    boolean stripAnsi = nodes.bool(e.get("strip-ansi"), false);
    boolean keepCrLf = e.containsKey("crlf") && crlfKept(e.get("crlf").value());
    boolean quiet = nodes.bool(e.get("quiet"), false);
    // An SSH target without a command gets the login shell.
    List<String> command = ssh != null && !e.containsKey("command") ? List.of()
        : command(m, e.get("command"), shell, scope);
    Path cwd = e.containsKey("cwd") ? cwd(e.get("cwd").value(), scope) : nodes.dir;
    Map<String, String> env = e.containsKey("env") ? env(e.get("env").value(), scope) : Map.of();
    Duration timeout = e.containsKey("timeout") ? nodes.duration(e.get("timeout").value())
        : null;
    Integer exit = e.containsKey("exit") ? exit(e.get("exit").value()) : Integer.valueOf(0);
    Dialogue.Terminal terminal = Dialogue.Terminal.defaults();
    int[] size = e.containsKey("size") ? size(e.get("size").value()) : null;
    terminal = new Dialogue.Terminal(size != null ? size[0] : terminal.rows(),
        size != null ? size[1] : terminal.columns(), echo, stripAnsi, !keepCrLf);

    Set<String> captures = new LinkedHashSet<>();
    // What an always branch captures may be set before any step: in scope for all of them.
    List<Branch> always = e.containsKey("always")
        ? stepParser.always(e.get("always").value(), scope, captures) : List.of();
    Set<String> stepScope = new HashSet<>(scope);
    stepScope.addAll(captures);
    List<Step> steps = new ArrayList<>();
    if (!e.containsKey("steps")) {
      nodes.error(m, "missing 'steps' (a list such as - expect: \"$ \")");
    } else {
      steps = stepParser.steps(e.get("steps").value(), stepScope, captures);
    }
    Set<String> secrets = Set.of();
    if (e.containsKey("secret")) {
      Set<String> known = new HashSet<>(scope);
      known.addAll(captures);
      secrets = secrets(e.get("secret").value(), known);
    }
    Node screenAt = patterns.takeScreenAt();
    if (screenAt != null && !pty) {
      nodes.error(screenAt, "screen: matches what a terminal shows: it needs pty: true");
    }
    if (nodes.problems().size() != before || command == null) {
      return null;
    }
    return new Dialogue(name, file, command, shell, pty, cwd, env, timeout, vars, secrets,
        matrix, exit, quiet, terminal, steps, nodes.pos(m), ssh, hosts, always);
  }

  // ---- ssh: and hosts: (issue 16)

  static final List<String> SSH_KEYS = List.of("host", "port", "user", "identity", "passphrase",
      "password",
      "known-hosts", "host-key-check");

  private Dialogue.Hosts hosts(Node node) {
    String p = nodes.string(node);
    if (p != null && p.isBlank()) {
      nodes.error(node, "hosts is empty (a group, a host, all, web:&prod, web:!db)");
      return null;
    }
    return p == null ? null : new Dialogue.Hosts(p, nodes.pos(node));
  }

  private Dialogue.Ssh ssh(Node node, Set<String> scope) {
    if (node instanceof MappingNode m) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (Entry en : nodes.entries(m, SSH_KEYS).values()) {
        String v = nodes.string(en.value());
        if (v == null) {
          continue;
        }
        nodes.refs(en.value(), v, scope);
        boolean literal = Vars.references(v).isEmpty();
        if (literal && en.key().equals("port") && !v.matches("\\d{1,5}")) {
          nodes.error(en.value(), "port must be a number (1-65535)");
        } else if (literal && en.key().equals("host-key-check")
            && !List.of("strict", "accept-new", "off").contains(v)) {
          nodes.error(en.value(), "host-key-check must be strict, accept-new or off"
              + NodeReader.didYouMean(v, List.of("strict", "accept-new", "off"), "'%s'"));
        }
        fields.put(en.key(), v);
      }
      if (!fields.containsKey("host") && !nodes.inventoryScope) {
        nodes.error(m, "ssh: needs host: (or hosts: and an inventory)");
      }
      return new Dialogue.Ssh(null, fields, nodes.pos(node));
    }
    String t = nodes.string(node);
    if (t == null) {
      return null;
    }
    nodes.refs(node, t, scope);
    if (t.isBlank()) {
      nodes.error(node, "ssh is empty (user@host:port, or a mapping with host:)");
    }
    return new Dialogue.Ssh(t, Map.of(), nodes.pos(node));
  }

  // ---- dialogue keys

  private List<String> command(MappingNode dialogue, Entry entry, boolean shell,
                               Set<String> scope) {
    if (entry == null) {
      nodes.error(dialogue,
          "missing 'command' (the program to run, as in command: [python3, app.py])");
      return null;
    }
    Node node = entry.value();
    if (node instanceof MappingNode replay && replay.getValue().stream().anyMatch(
        t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("replay"))) {
      return replay(replay);
    }
    if (node instanceof SequenceNode seq) {
      if (shell) {
        nodes.error(node, "shell: true needs command as a string");
        return null;
      }
      List<String> argv = new ArrayList<>();
      for (Node item : seq.getValue()) {
        String s = nodes.string(item);
        if (s != null) {
          nodes.refs(item, s, scope);
          argv.add(s);
        }
      }
      if (seq.getValue().isEmpty()) {
        nodes.error(node, "command is empty");
        return null;
      }
      if (argv.size() == seq.getValue().size() && argv.get(0).isEmpty()) {
        nodes.error(seq.getValue().get(0), "the program name is empty");
      }
      return argv.size() == seq.getValue().size() ? argv : null;
    }
    String text = nodes.string(node);
    if (text == null) {
      return null;
    }
    if (text.isBlank()) {
      nodes.error(node, "command is empty");
      return null;
    }
    nodes.refs(node, text, scope);
    if (shell) {
      return List.of(text);
    }
    try {
      List<String> argv = ShellWords.split(text);
      if (argv.get(0).isEmpty()) {
        nodes.error(node, "the program name is empty");
      }
      return argv;
    } catch (IllegalArgumentException ex) {
      nodes.error(node, "command: " + ex.getMessage());
      return null;
    }
  }

  /**
   * {@code command: {replay: FILE.cast, speed: N}}: the fake child of process/replay, as its argv
   * (the recording's absolute path, resolved against the dialogue's folder, and the speed).
   */
  private List<String> replay(MappingNode m) {
    Map<String, Entry> e = nodes.entries(m, List.of("replay", "speed"));
    if (!e.containsKey("replay")) {
      return null; // a duplicate 'replay', reported
    }
    String name = nodes.string(e.get("replay").value());
    if (name == null) {
      return null;
    }
    Path cast = nodes.dir.resolve(name).normalize();
    if (!Files.isRegularFile(cast)) {
      nodes.error(e.get("replay").value(), "replay: no such recording " + cast);
      return null;
    }
    double speed = 1;
    if (e.containsKey("speed")) {
      String v = nodes.scalarText(e.get("speed").value(), "a number");
      try {
        speed = v == null ? 1 : Double.parseDouble(v);
      } catch (NumberFormatException ex) {
        speed = -1;
      }
      if (!(speed > 0) || Double.isInfinite(speed)) {
        nodes.error(e.get("speed").value(), "speed: expected a positive number (2 plays twice as "
            + "fast), got '" + v + "'");
        return null;
      }
    }
    // "promptly:replay" is ReplayChild.PROGRAM (the dsl model imports nothing from process).
    return List.of("promptly:replay", cast.toString(),
        Double.toString(speed));
  }

  private Path cwd(Node node, Set<String> scope) {
    String raw = nodes.string(node);
    if (raw == null) {
      return null;
    }
    if (raw.isBlank()) {
      nodes.error(node, "cwd is empty (leave it out for the dialogue file's folder)");
      return null;
    }
    try {
      if (!nodes.refs(node, raw, scope).isEmpty()) {
        // Only known at run time: kept as written, DialogueLoader.resolveCwd finishes the job.
        return Path.of(raw);
      }
      return nodes.dir.resolve(raw).normalize();
    } catch (InvalidPathException ex) {
      nodes.error(node, "cwd is not a valid path: " + Texts.oneLine(ex.getReason()));
      return null;
    }
  }

  private Map<String, String> env(Node node, Set<String> scope) {
    MappingNode m = nodes.mapping(node);
    Map<String, String> env = new LinkedHashMap<>();
    if (m == null) {
      return env;
    }
    for (Entry en : nodes.entries(m, null).values()) {
      if (en.key().isEmpty() || en.key().contains("=") || en.key().indexOf('\0') >= 0) {
        nodes.error(en.keyNode(), "'" + Texts.shorten(en.key())
            + "' is not an environment variable name");
        continue;
      }
      String v = nodes.scalarText(en.value(), "a string, number or boolean");
      if (v != null) {
        nodes.refs(en.value(), v, scope);
        env.put(en.key(), v);
      }
    }
    return env;
  }

  private Map<String, List<String>> matrix(Node node) {
    MappingNode m = nodes.mapping(node);
    Map<String, List<String>> matrix = new LinkedHashMap<>();
    if (m == null) {
      return matrix;
    }
    for (Entry en : nodes.entries(m, null).values()) {
      if (!NAME.matcher(en.key()).matches()) {
        nodes.error(en.keyNode(), "'" + Texts.shorten(en.key()) + "' is not a variable name "
            + "(letters, digits, _ . -, not starting with a digit)");
        continue;
      }
      List<String> values = null;
      if (en.value() instanceof SequenceNode seq) {
        values = new ArrayList<>();
        for (Node item : seq.getValue()) {
          String v = nodes.scalarText(item, "a string, number or boolean");
          if (v != null) {
            values.add(v);
          }
        }
        if (seq.getValue().isEmpty()) {
          nodes.error(seq, "matrix '" + en.key() + "' has no values");
          continue;
        }
      } else if (en.value() instanceof MappingNode fm) {
        Map<String, Entry> fe = nodes.entries(fm, List.of("file"));
        if (!fe.containsKey("file")) {
          if (fm.getValue().isEmpty()) {
            nodes.error(fm, "expected {file: PATH} or a list of values");
          }
          continue;
        }
        values = matrixFile(fe.get("file").value());
      } else {
        nodes.error(en.value(), "expected a list of values or {file: PATH}, got "
            + NodeReader.describe(en.value()));
      }
      if (values != null) {
        matrix.put(en.key(), List.copyOf(values));
      }
    }
    return matrix;
  }

  private List<String> matrixFile(Node node) {
    String name = nodes.string(node);
    if (name == null) {
      return null;
    }
    Path path;
    try {
      path = nodes.dir.resolve(name).normalize();
    } catch (InvalidPathException ex) {
      nodes.error(node, "matrix file is not a valid path: " + Texts.oneLine(ex.getReason()));
      return null;
    }
    String what = "matrix file '" + Texts.shorten(name) + "': ";
    String text = YamlSource.readText(path, path, nodes.pos(node), what, nodes.problems());
    nodes.checkLimit();
    if (text == null) {
      return null;
    }
    List<String> values = new ArrayList<>();
    for (String line : text.split("\r?\n")) {
      String v = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      // One value per line; blank lines and lines starting with # (comments) are not values.
      if (!v.isBlank() && !v.stripLeading().startsWith("#")) {
        values.add(v);
      }
    }
    if (values.isEmpty()) {
      nodes.error(node, what + "holds no values");
      return null;
    }
    return values;
  }

  private Set<String> secrets(Node node, Set<String> known) {
    SequenceNode seq = nodes.sequence(node);
    Set<String> names = new LinkedHashSet<>();
    if (seq == null) {
      return names;
    }
    for (Node item : seq.getValue()) {
      String n = nodes.string(item);
      if (n == null) {
        continue;
      }
      if (!known.contains(n)) {
        nodes.error(item, "secret names an unknown variable '" + Texts.shorten(n) + "'"
            + NodeReader.didYouMean(n, known, "'%s'"));
      } else {
        names.add(n);
      }
    }
    return names;
  }

  private Integer exit(Node node) {
    if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
      String v = s.getValue().strip();
      if (v.equals("any")) {
        return null;
      }
      if (v.matches("\\d{1,3}") && Integer.parseInt(v) <= 255) {
        return Integer.parseInt(v);
      }
      if (v.toUpperCase(java.util.Locale.ROOT).startsWith("SIG")
          && dev.promptly.process.Signals.number(v) > 0) {
        return -dev.promptly.process.Signals.number(v);
      }
    }
    nodes.error(node, "expected an exit status 0-255, a signal such as SIGTERM, or 'any', got "
        + NodeReader.describe(node));
    return 0;
  }

  private int[] size(Node node) {
    String s = nodes.string(node);
    if (s == null) {
      return null;
    }
    Matcher m = SIZE.matcher(s.strip());
    if (m.matches()) {
      int rows = Integer.parseInt(m.group(1));
      int cols = Integer.parseInt(m.group(2));
      if (rows >= 1 && rows <= 65535 && cols >= 1 && cols <= 65535) {
        return new int[] {rows, cols};
      }
    }
    nodes.error(node, "expected a terminal size ROWSxCOLUMNS such as 50x200 (1-65535 each), got '"
        + Texts.shorten(s) + "'");
    return null;
  }

  /** {@code crlf: normalize} (the default) or {@code crlf: keep}. */
  private boolean crlfKept(Node node) {
    String v = nodes.scalarText(node, "normalize or keep");
    if (v == null) {
      return false;
    }
    if (v.equals("keep")) {
      return true;
    }
    if (!v.equals("normalize")) {
      nodes.error(node, "expected normalize (a pty's \\r\\n is matched as \\n) or keep, got '" + v
          + "'");
    }
    return false;
  }

  static String baseName(Path file) {
    Path f = file.getFileName();
    String name = f == null ? "dialogue" : f.toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
