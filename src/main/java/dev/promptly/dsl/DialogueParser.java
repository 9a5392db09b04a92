package dev.promptly.dsl;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Walks the node tree of one file into dialogues, recording every problem instead of stopping
 * at the first. It never descends into parts of the tree it does not expect, so shared
 * (aliased) or self-referencing nodes cannot make it loop or blow up.
 */
final class DialogueParser {
  static final int MAX_PROBLEMS = 100;

  static final List<String> DIALOGUE_KEYS = List.of("name", "command", "shell", "pty", "cwd",
      "env", "timeout", "vars", "secret", "matrix", "exit", "size", "echo", "strip-ansi",
      "crlf", "quiet", "steps", "ssh", "hosts");
  static final List<String> STEP_KEYS = List.of("expect", "send", "sendline", "close", "signal",
      "secret", "again", "fail", "timeout");
  static final List<String> BRANCH_KEYS = List.of("match", "send", "sendline", "secret",
      "again", "fail");
  static final List<String> PATTERN_KEYS = List.of("regex", "literal");

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,5})[xX](\\d{1,5})");
  private static final LevenshteinDistance DISTANCE = new LevenshteinDistance(2);

  private final Path file;
  private final Path dir;
  /** The first screen pattern of the dialogue being parsed (it needs a pty), or null. */
  private Node screenAt;
  private final Map<String, String> cliVars;
  private final List<Problem> problems;
  /** The environment references are checked against: the process's own. */
  private final java.util.function.Function<String, String> environment = System::getenv;

  /** Thrown to stop after {@link #MAX_PROBLEMS}: past that, more lines only bury the first. */
  static final class TooManyProblems extends RuntimeException {
    TooManyProblems() {
      super(null, null, false, false);
    }
  }

  private record Entry(String key, ScalarNode keyNode, Node value) {
  }

  DialogueParser(Path file, Map<String, String> cliVars, List<Problem> problems) {
    this.file = file;
    Path abs = file.toAbsolutePath().normalize();
    this.dir = abs.getParent() != null ? abs.getParent() : abs.getRoot();
    this.cliVars = cliVars;
    this.problems = problems;
  }

  List<Dialogue> parse(Node root) {
    List<Dialogue> out = new ArrayList<>();
    String base = baseName(file);
    if (!(root instanceof MappingNode m)) {
      error(root, "expected a mapping (one dialogue) or 'dialogues:' with a list, got "
          + describe(root));
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
        error(t.getKeyNode(), "'" + keyText(t.getKeyNode()) + "' does not belong next to "
            + "'dialogues:'; put it in each dialogue");
      }
    }
    SequenceNode seq = sequence(list);
    if (seq == null) {
      return out;
    }
    if (seq.getValue().isEmpty()) {
      error(list, "'dialogues' lists no dialogue");
    }
    int i = 0;
    for (Node item : seq.getValue()) {
      i++;
      if (item instanceof MappingNode dm) {
        add(out, dialogue(dm, base + "-" + i));
      } else {
        error(item, "expected a mapping (a dialogue), got " + describe(item));
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
    int before = problems.size();
    Map<String, Entry> e = entries(m, DIALOGUE_KEYS);

    // matrix and vars first: every other string may refer to them, wherever they are written.
    Map<String, List<String>> matrix = e.containsKey("matrix")
        ? matrix(e.get("matrix").value()) : Map.of();
    Set<String> scope = new HashSet<>(cliVars.keySet());
    scope.addAll(matrix.keySet());
    Map<String, String> vars = e.containsKey("vars")
        ? vars(e.get("vars").value(), scope) : Map.of();
    scope.addAll(vars.keySet());
    // With hosts:, names may come from the inventory: checked when each run starts.
    inventoryScope = e.containsKey("hosts");
    Dialogue.Hosts hosts = e.containsKey("hosts") ? hosts(e.get("hosts").value()) : null;
    Dialogue.Ssh ssh = e.containsKey("ssh") ? ssh(e.get("ssh").value(), scope) : null;

    String name = defaultName;
    if (e.containsKey("name")) {
      String n = string(e.get("name").value());
      if (n != null && n.isBlank()) {
        error(e.get("name").value(), "name is empty");
      } else if (n != null) {
        // Substituted when the runs are planned: matrix values, --var, vars and the environment.
        refs(e.get("name").value(), n, scope);
        name = n;
      }
    }
    boolean shell = bool(e.get("shell"), false);
    // A replayed recording is a terminal's output: a pty unless said otherwise.
    boolean pty = bool(e.get("pty"), e.containsKey("command")
        && e.get("command").value() instanceof MappingNode);
    boolean echo = bool(e.get("echo"), true);
    boolean stripAnsi = bool(e.get("strip-ansi"), false);
    boolean keepCrLf = e.containsKey("crlf") && crlfKept(e.get("crlf").value());
    boolean quiet = bool(e.get("quiet"), false);
    // An SSH target without a command gets the login shell.
    List<String> command = ssh != null && !e.containsKey("command") ? List.of()
        : command(m, e.get("command"), shell, scope);
    Path cwd = e.containsKey("cwd") ? cwd(e.get("cwd").value(), scope) : dir;
    Map<String, String> env = e.containsKey("env") ? env(e.get("env").value(), scope) : Map.of();
    Duration timeout = e.containsKey("timeout") ? duration(e.get("timeout").value()) : null;
    Integer exit = e.containsKey("exit") ? exit(e.get("exit").value()) : Integer.valueOf(0);
    Dialogue.Terminal terminal = Dialogue.Terminal.defaults();
    int[] size = e.containsKey("size") ? size(e.get("size").value()) : null;
    terminal = new Dialogue.Terminal(size != null ? size[0] : terminal.rows(),
        size != null ? size[1] : terminal.columns(), echo, stripAnsi, !keepCrLf);

    List<Step> steps = new ArrayList<>();
    Set<String> captures = new LinkedHashSet<>();
    if (!e.containsKey("steps")) {
      error(m, "missing 'steps' (a list such as - expect: \"$ \")");
    } else {
      steps = steps(e.get("steps").value(), scope, captures);
    }
    Set<String> secrets = Set.of();
    if (e.containsKey("secret")) {
      Set<String> known = new HashSet<>(scope);
      known.addAll(captures);
      secrets = secrets(e.get("secret").value(), known);
    }
    if (screenAt != null && !pty) {
      error(screenAt, "screen: matches what a terminal shows: it needs pty: true");
    }
    screenAt = null;
    if (problems.size() != before || command == null) {
      return null;
    }
    return new Dialogue(name, file, command, shell, pty, cwd, env, timeout, vars, secrets,
        matrix, exit, quiet, terminal, steps, pos(m), ssh, hosts);
  }

  // ---- ssh: and hosts: (issue 16)

  static final List<String> SSH_KEYS = List.of("host", "port", "user", "identity", "passphrase",
      "password",
      "known-hosts", "host-key-check");
  private boolean inventoryScope;

  private Dialogue.Hosts hosts(Node node) {
    String p = string(node);
    if (p != null && p.isBlank()) {
      error(node, "hosts is empty (a group, a host, all, web:&prod, web:!db)");
      return null;
    }
    return p == null ? null : new Dialogue.Hosts(p, pos(node));
  }

  private Dialogue.Ssh ssh(Node node, Set<String> scope) {
    if (node instanceof MappingNode m) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (Entry en : entries(m, SSH_KEYS).values()) {
        String v = string(en.value());
        if (v == null) {
          continue;
        }
        refs(en.value(), v, scope);
        boolean literal = Vars.references(v).isEmpty();
        if (literal && en.key().equals("port") && !v.matches("\\d{1,5}")) {
          error(en.value(), "port must be a number (1-65535)");
        } else if (literal && en.key().equals("host-key-check")
            && !List.of("strict", "accept-new", "off").contains(v)) {
          error(en.value(), "host-key-check must be strict, accept-new or off"
              + didYouMean(v, List.of("strict", "accept-new", "off"), "'%s'"));
        }
        fields.put(en.key(), v);
      }
      if (!fields.containsKey("host") && !inventoryScope) {
        error(m, "ssh: needs host: (or hosts: and an inventory)");
      }
      return new Dialogue.Ssh(null, fields, pos(node));
    }
    String t = string(node);
    if (t == null) {
      return null;
    }
    refs(node, t, scope);
    if (t.isBlank()) {
      error(node, "ssh is empty (user@host:port, or a mapping with host:)");
    }
    return new Dialogue.Ssh(t, Map.of(), pos(node));
  }

  // ---- dialogue keys

  private List<String> command(MappingNode dialogue, Entry entry, boolean shell,
                               Set<String> scope) {
    if (entry == null) {
      error(dialogue, "missing 'command' (the program to run, as in command: [python3, app.py])");
      return null;
    }
    Node node = entry.value();
    if (node instanceof MappingNode replay && replay.getValue().stream().anyMatch(
        t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("replay"))) {
      return replay(replay);
    }
    if (node instanceof SequenceNode seq) {
      if (shell) {
        error(node, "shell: true needs command as a string");
        return null;
      }
      List<String> argv = new ArrayList<>();
      for (Node item : seq.getValue()) {
        String s = string(item);
        if (s != null) {
          refs(item, s, scope);
          argv.add(s);
        }
      }
      if (seq.getValue().isEmpty()) {
        error(node, "command is empty");
        return null;
      }
      if (argv.size() == seq.getValue().size() && argv.get(0).isEmpty()) {
        error(seq.getValue().get(0), "the program name is empty");
      }
      return argv.size() == seq.getValue().size() ? argv : null;
    }
    String text = string(node);
    if (text == null) {
      return null;
    }
    if (text.isBlank()) {
      error(node, "command is empty");
      return null;
    }
    refs(node, text, scope);
    if (shell) {
      return List.of(text);
    }
    try {
      List<String> argv = ShellWords.split(text);
      if (argv.get(0).isEmpty()) {
        error(node, "the program name is empty");
      }
      return argv;
    } catch (IllegalArgumentException ex) {
      error(node, "command: " + ex.getMessage());
      return null;
    }
  }

  /**
   * {@code command: {replay: FILE.cast, speed: N}}: the fake child of process/replay, as its argv
   * (the recording's absolute path, resolved against the dialogue's folder, and the speed).
   */
  private List<String> replay(MappingNode m) {
    Map<String, Entry> e = entries(m, List.of("replay", "speed"));
    if (!e.containsKey("replay")) {
      return null; // a duplicate 'replay', reported
    }
    String name = string(e.get("replay").value());
    if (name == null) {
      return null;
    }
    Path cast = dir.resolve(name).normalize();
    if (!Files.isRegularFile(cast)) {
      error(e.get("replay").value(), "replay: no such recording " + cast);
      return null;
    }
    double speed = 1;
    if (e.containsKey("speed")) {
      String v = scalarText(e.get("speed").value(), "a number");
      try {
        speed = v == null ? 1 : Double.parseDouble(v);
      } catch (NumberFormatException ex) {
        speed = -1;
      }
      if (!(speed > 0) || Double.isInfinite(speed)) {
        error(e.get("speed").value(), "speed: expected a positive number (2 plays twice as "
            + "fast), got '" + v + "'");
        return null;
      }
    }
    // "promptly:replay" is ReplayChild.PROGRAM (the dsl model imports nothing from process).
    return List.of("promptly:replay", cast.toString(),
        Double.toString(speed));
  }

  private Path cwd(Node node, Set<String> scope) {
    String raw = string(node);
    if (raw == null) {
      return null;
    }
    if (raw.isBlank()) {
      error(node, "cwd is empty (leave it out for the dialogue file's folder)");
      return null;
    }
    try {
      if (!refs(node, raw, scope).isEmpty()) {
        // Only known at run time: kept as written, DialogueLoader.resolveCwd finishes the job.
        return Path.of(raw);
      }
      return dir.resolve(raw).normalize();
    } catch (InvalidPathException ex) {
      error(node, "cwd is not a valid path: " + Texts.oneLine(ex.getReason()));
      return null;
    }
  }

  private Map<String, String> env(Node node, Set<String> scope) {
    MappingNode m = mapping(node);
    Map<String, String> env = new LinkedHashMap<>();
    if (m == null) {
      return env;
    }
    for (Entry en : entries(m, null).values()) {
      if (en.key().isEmpty() || en.key().contains("=") || en.key().indexOf('\0') >= 0) {
        error(en.keyNode(), "'" + Texts.shorten(en.key())
            + "' is not an environment variable name");
        continue;
      }
      String v = scalarText(en.value(), "a string, number or boolean");
      if (v != null) {
        refs(en.value(), v, scope);
        env.put(en.key(), v);
      }
    }
    return env;
  }

  private Map<String, String> vars(Node node, Set<String> outer) {
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

  private Map<String, List<String>> matrix(Node node) {
    MappingNode m = mapping(node);
    Map<String, List<String>> matrix = new LinkedHashMap<>();
    if (m == null) {
      return matrix;
    }
    for (Entry en : entries(m, null).values()) {
      if (!NAME.matcher(en.key()).matches()) {
        error(en.keyNode(), "'" + Texts.shorten(en.key()) + "' is not a variable name "
            + "(letters, digits, _ . -, not starting with a digit)");
        continue;
      }
      List<String> values = null;
      if (en.value() instanceof SequenceNode seq) {
        values = new ArrayList<>();
        for (Node item : seq.getValue()) {
          String v = scalarText(item, "a string, number or boolean");
          if (v != null) {
            values.add(v);
          }
        }
        if (seq.getValue().isEmpty()) {
          error(seq, "matrix '" + en.key() + "' has no values");
          continue;
        }
      } else if (en.value() instanceof MappingNode fm) {
        Map<String, Entry> fe = entries(fm, List.of("file"));
        if (!fe.containsKey("file")) {
          if (fm.getValue().isEmpty()) {
            error(fm, "expected {file: PATH} or a list of values");
          }
          continue;
        }
        values = matrixFile(fe.get("file").value());
      } else {
        error(en.value(), "expected a list of values or {file: PATH}, got "
            + describe(en.value()));
      }
      if (values != null) {
        matrix.put(en.key(), List.copyOf(values));
      }
    }
    return matrix;
  }

  private List<String> matrixFile(Node node) {
    String name = string(node);
    if (name == null) {
      return null;
    }
    Path path;
    try {
      path = dir.resolve(name).normalize();
    } catch (InvalidPathException ex) {
      error(node, "matrix file is not a valid path: " + Texts.oneLine(ex.getReason()));
      return null;
    }
    String what = "matrix file '" + Texts.shorten(name) + "': ";
    String text = YamlSource.readText(path, path, pos(node), what, problems);
    checkLimit();
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
      error(node, what + "holds no values");
      return null;
    }
    return values;
  }

  private Set<String> secrets(Node node, Set<String> known) {
    SequenceNode seq = sequence(node);
    Set<String> names = new LinkedHashSet<>();
    if (seq == null) {
      return names;
    }
    for (Node item : seq.getValue()) {
      String n = string(item);
      if (n == null) {
        continue;
      }
      if (!known.contains(n)) {
        error(item, "secret names an unknown variable '" + Texts.shorten(n) + "'"
            + didYouMean(n, known, "'%s'"));
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
    error(node, "expected an exit status 0-255, a signal such as SIGTERM, or 'any', got "
        + describe(node));
    return 0;
  }

  private int[] size(Node node) {
    String s = string(node);
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
    error(node, "expected a terminal size ROWSxCOLUMNS such as 50x200 (1-65535 each), got '"
        + Texts.shorten(s) + "'");
    return null;
  }

  private Duration duration(Node node) {
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

  private List<Step> steps(Node node, Set<String> outer, Set<String> captures) {
    List<Step> steps = new ArrayList<>();
    SequenceNode seq = sequence(node);
    if (seq == null) {
      return steps;
    }
    // Named groups of a regex become variables for the steps after it.
    Set<String> scope = new HashSet<>(outer);
    for (Node item : seq.getValue()) {
      if (!(item instanceof MappingNode m)) {
        error(item, "expected a mapping (a step such as expect: or send:), got "
            + describe(item));
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

  private Step step(MappingNode m, Set<String> scope, Set<String> captures) {
    Map<String, Entry> e = entries(m, STEP_KEYS);
    String form;
    if (e.containsKey("expect")) {
      form = e.get("expect").value() instanceof SequenceNode ? "branches" : "expect";
    } else if (e.containsKey("close")) {
      form = "close";
    } else if (e.containsKey("signal")) {
      form = "signal";
    } else if (e.containsKey("send") || e.containsKey("sendline")) {
      form = "send";
    } else {
      if (m.getValue().isEmpty() || !e.isEmpty()) {
        error(m, "a step needs one of expect, send, sendline, close or signal");
      }
      return null;
    }
    List<String> allowed = switch (form) {
      case "branches" -> List.of("expect", "timeout");
      case "expect" -> STEP_KEYS.stream()
          .filter(k -> !k.equals("close") && !k.equals("signal")).toList();
      case "close" -> List.of("close");
      case "signal" -> List.of("signal");
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
        error(en.keyNode(), "'" + k + "' does not belong next to a list of branches; "
            + "put it in a branch");
      } else if (k.equals("timeout")) {
        error(en.keyNode(), "'timeout' applies only to expect steps");
      } else if (form.equals("send") && (k.equals("again") || k.equals("fail"))) {
        error(en.keyNode(), "'" + k + "' belongs to an expect step or branch");
      } else {
        String main = form.equals("send") ? (e.containsKey("send") ? "send" : "sendline")
            : form;
        error(en.keyNode(), "'" + k + "' cannot share a step with '" + main
            + "'; make it a step of its own");
      }
    }
    SourcePos pos = pos(m);
    switch (form) {
      case "close" -> {
        Node v = e.get("close").value();
        String what = string(v);
        if (what != null && !what.equals("stdin")) {
          error(v, "close takes only 'stdin', got '" + Texts.shorten(what) + "'");
        }
        return misplaced ? null : new Step.Close(pos);
      }
      case "signal" -> {
        Node v = e.get("signal").value();
        String what = string(v);
        int n = what == null ? -1 : dev.promptly.process.Signals.number(what);
        if (what != null && n < 0) {
          error(v, "unknown signal '" + Texts.shorten(what) + "' (use TERM, INT, HUP, KILL, ...)");
        }
        return misplaced || n < 0 ? null : new Step.Signal(n, pos);
      }
      case "send" -> {
        Step.Send.Text text = sendText(e, scope);
        return text == null || misplaced ? null : new Step.Send(text, pos);
      }
      default -> {
        Duration timeout = e.containsKey("timeout") ? duration(e.get("timeout").value()) : null;
        List<Branch> branches = new ArrayList<>();
        if (form.equals("expect")) {
          Branch b = branch(e.get("expect").value(), e, pos, scope, captures);
          if (b != null) {
            branches.add(b);
          }
        } else {
          SequenceNode seq = (SequenceNode) e.get("expect").value();
          if (seq.getValue().isEmpty()) {
            error(seq, "expect lists no branches");
          }
          // What an `again` branch captures is set for its siblings once it has matched (the step
          // loops); a sibling reached before that fails at run time, naming the variable.
          Set<String> siblings = new HashSet<>(scope);
          siblings.addAll(againCaptures(seq));
          for (Node item : seq.getValue()) {
            if (!(item instanceof MappingNode bm)) {
              error(item, "expected a branch mapping (match: ...), got " + describe(item));
              continue;
            }
            Map<String, Entry> be = entries(bm, BRANCH_KEYS);
            if (!be.containsKey("match")) {
              error(bm, "a branch needs 'match:' (text, {regex: ...}, eof or timeout)");
              continue;
            }
            Branch b = branch(be.get("match").value(), be, pos(bm), siblings, captures);
            if (b != null) {
              branches.add(b);
            }
          }
        }
        return misplaced ? null : new Step.Expect(branches, timeout, pos);
      }
    }
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
    Set<String> groups = new LinkedHashSet<>();
    Branch.Pattern pattern = pattern(patternNode, scope, groups);
    captures.addAll(groups);
    // A branch's own groups are set by its match, before it sends or fails.
    Set<String> own = new HashSet<>(scope);
    own.addAll(groups);
    Step.Send.Text send = null;
    if (e.containsKey("send") || e.containsKey("sendline")) {
      send = sendText(e, own);
    } else if (e.containsKey("secret")) {
      error(e.get("secret").keyNode(), "'secret' needs send or sendline next to it");
    }
    boolean again = bool(e.get("again"), false);
    String fail = null;
    if (e.containsKey("fail")) {
      Node fn = e.get("fail").value();
      fail = string(fn);
      if (fail != null) {
        refs(fn, fail, own);
      }
      if (e.containsKey("send") || e.containsKey("sendline")) {
        error(e.get("fail").keyNode(), "a branch that fails sends nothing; "
            + "drop 'fail' or the send");
      }
      if (again) {
        error(e.get("fail").keyNode(), "a branch cannot both fail and match 'again'");
      }
    }
    if (again && pattern instanceof Branch.Pattern.Eof) {
      error(e.get("again").keyNode(), "'again' after eof would match eof forever");
    }
    if (pattern == null) {
      return null;
    }
    return new Branch(pattern, send, again, fail, pos);
  }

  private Branch.Pattern pattern(Node node, Set<String> scope, Set<String> groups) {
    if (node instanceof MappingNode m && m.getValue().size() == 1
        && m.getValue().get(0).getKeyNode() instanceof ScalarNode k
        && k.getValue().equals("screen")) {
      return screen(m.getValue().get(0).getValueNode(), scope, groups);
    }
    if (node instanceof MappingNode m) {
      Map<String, Entry> e = entries(m, PATTERN_KEYS);
      if (e.size() != 1) {
        if (e.size() > 1 || m.getValue().isEmpty()) {
          error(m, "a pattern mapping holds exactly one of regex or literal");
        }
        return null;
      }
      Entry only = e.values().iterator().next();
      String text = string(only.value());
      if (text == null) {
        return null;
      }
      if (text.isEmpty()) {
        error(only.value(), "an empty " + only.key() + " matches nothing useful");
        return null;
      }
      refs(only.value(), text, scope);
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
        error(only.value(), "bad regex: " + why
            + (ex.getIndex() >= 0 ? " near index " + ex.getIndex() : ""));
        return null;
      }
      groups.addAll(Regexes.namedGroups(Vars.substitute(text, n -> Regexes.PLACEHOLDER)));
      return new Branch.Pattern.Regex(text);
    }
    if (!(node instanceof ScalarNode s) || Tag.NULL.equals(s.getTag())) {
      error(node, "expected a pattern (text, {regex: ...}, {literal: ...}, eof or timeout), got "
          + describe(node));
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
      error(node, "an empty pattern matches nothing useful");
      return null;
    }
    refs(node, text, scope);
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
    String text = string(value);
    if (text == null) {
      return null;
    }
    if (text.isBlank()) {
      error(value, "an empty screen pattern matches nothing useful");
      return null;
    }
    refs(value, text, scope);
    return new Branch.Pattern.Screen(text, false);
  }

  private Step.Send.Text sendText(Map<String, Entry> e, Set<String> scope) {
    Entry send = e.get("send");
    Entry line = e.get("sendline");
    if (send != null && line != null) {
      error(line.keyNode(), "use either send or sendline, not both");
      return null;
    }
    Entry which = send != null ? send : line;
    boolean secret = bool(e.get("secret"), false);
    Node node = which.value();
    if (node instanceof ScalarNode s && Tag.NULL.equals(s.getTag())) {
      error(node, "expected the text to send, got nothing (write \"\" for no text)");
      return null;
    }
    String raw = string(node);
    if (raw == null) {
      return null;
    }
    String text = raw;
    // YAML already decoded the escapes of a double-quoted scalar; decoding again would be wrong.
    if (((ScalarNode) node).getScalarStyle() != ScalarStyle.DOUBLE_QUOTED) {
      try {
        text = Escapes.decode(raw);
      } catch (IllegalArgumentException ex) {
        error(node, ex.getMessage());
        return null;
      }
    }
    refs(node, text, scope);
    return new Step.Send.Text(text, line != null, secret);
  }

  // ---- node helpers

  /**
   * Keys of a mapping, in order; reports non-string keys, duplicates and (when {@code known} is
   * not null) unknown keys, which are left out.
   */
  private Map<String, Entry> entries(MappingNode m, Collection<String> known) {
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
  private Set<String> refs(Node node, String text, Set<String> scope) {
    if (Vars.unterminated(text) >= 0) {
      error(node, "'${' is not closed by '}' (write $${ for a literal ${)");
    }
    Set<String> refs = Vars.references(text);
    Set<String> required = Vars.required(text);
    for (String name : refs) {
      if (name.startsWith(Vars.ENV_PREFIX)) {
        String env = name.substring(Vars.ENV_PREFIX.length());
        if (env.isEmpty()) {
          error(node, "${env:} names no environment variable");
        } else if (required.contains(name) && environment.apply(env) == null) {
          error(node, "environment variable " + Texts.shorten(env) + " is not set (set it, or "
              + "give a fallback: ${env:" + Texts.shorten(env) + ":-default})");
        }
      } else if (name.isEmpty()) {
        error(node, "${} names no variable");
      } else if (!scope.contains(name) && required.contains(name) && !inventoryScope) {
        error(node, "undefined variable ${" + Texts.shorten(name) + "}"
            + didYouMean(name, scope, "${%s}"));
      }
    }
    return refs;
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

  private String string(Node node) {
    // Numbers and booleans count as their text: `expect: 42` waits for "42".
    if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
      return s.getValue();
    }
    error(node, "expected a string, got " + describe(node));
    return null;
  }

  /** A scalar of any type as its text: numbers and booleans as written. */
  private String scalarText(Node node, String expected) {
    if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
      return s.getValue();
    }
    error(node, "expected " + expected + ", got " + describe(node));
    return null;
  }

  /** {@code crlf: normalize} (the default) or {@code crlf: keep}. */
  private boolean crlfKept(Node node) {
    String v = scalarText(node, "normalize or keep");
    if (v == null) {
      return false;
    }
    if (v.equals("keep")) {
      return true;
    }
    if (!v.equals("normalize")) {
      error(node, "expected normalize (a pty's \\r\\n is matched as \\n) or keep, got '" + v
          + "'");
    }
    return false;
  }

  private boolean bool(Entry entry, boolean otherwise) {
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

  private MappingNode mapping(Node node) {
    if (node instanceof MappingNode m) {
      return m;
    }
    error(node, "expected a mapping, got " + describe(node));
    return null;
  }

  private SequenceNode sequence(Node node) {
    if (node instanceof SequenceNode s) {
      return s;
    }
    error(node, "expected a list, got " + describe(node));
    return null;
  }

  /** What a node is, for "expected X, got Y"; never the node's own toString (may recurse). */
  private static String describe(Node node) {
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

  private static String keyText(Node node) {
    return node instanceof ScalarNode s ? Texts.shorten(s.getValue()) : describe(node);
  }

  private SourcePos pos(Node node) {
    return node.getStartMark().map(m -> YamlSource.at(file, m))
        .orElse(new SourcePos(file, 1, 1));
  }

  private void error(Node node, String message) {
    problems.add(new Problem(pos(node), message));
    checkLimit();
  }

  private void checkLimit() {
    if (problems.size() >= MAX_PROBLEMS) {
      throw new TooManyProblems();
    }
  }

  static String baseName(Path file) {
    Path f = file.getFileName();
    String name = f == null ? "dialogue" : f.toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
