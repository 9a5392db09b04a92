package dev.promptly.dsl;

import dev.promptly.dsl.NodeReader.Entry;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * {@code include: FILE} with {@code vars:}: the steps of another file, read afresh for each
 * include with the variables defined at that point, so each use is checked where it is. Paths
 * are relative to the including file. A cycle, a missing file or too deep a chain is a problem
 * at the include step; problems inside an included file show the include chain
 * ({@code a.yaml:3:5 -> login.yaml:7:3: ...}).
 */
final class IncludeParser {
  /** Keys of an included file. */
  static final List<String> KEYS = List.of("steps", "vars");
  /** Deeper chains are refused: a runbook needs a few levels, a hostile file thousands. */
  static final int MAX_DEPTH = 16;
  /** Includes read for one loaded file in all (one file included 10 times at 10 levels...). */
  static final int MAX_INCLUDES = 500;

  private IncludeParser() {
  }

  /** The include step, or null after recording problems. */
  static Step.Include parse(NodeReader nodes, Entry include, Entry vars, SourcePos pos,
                            Set<String> scope, Set<String> captures) {
    String name = nodes.string(include.value());
    if (name == null) {
      return null;
    }
    if (name.isBlank() || !Vars.references(name).isEmpty()) {
      nodes.error(include.value(), name.isBlank() ? "include names no file"
          : "include: the file is read by check, before any variable has a value: write its "
              + "path without ${...}");
      return null;
    }
    Path file;
    try {
      file = nodes.dir.resolve(name).normalize();
    } catch (InvalidPathException ex) {
      nodes.error(include.value(), "include: not a valid path: " + Texts.oneLine(ex.getReason()));
      return null;
    }
    if (!java.nio.file.Files.isRegularFile(file)) {
      nodes.error(include.value(), "include: no such file " + shown(nodes.file, name));
      return null;
    }
    // The including step's vars are substituted where it stands: the outer scope.
    Map<String, String> given = vars == null ? Map.of() : nodes.vars(vars.value(), scope);
    if (nodes.chain.contains(file)) {
      List<Path> loop = new ArrayList<>(nodes.chain.subList(nodes.chain.indexOf(file),
          nodes.chain.size()));
      loop.add(file);
      nodes.error(include.value(), "include cycle: " + loop.stream()
          .map(p -> String.valueOf(p.getFileName())).collect(Collectors.joining(" -> ")));
      return null;
    }
    if (nodes.chain.size() > MAX_DEPTH) {
      nodes.error(include.value(), "includes nested deeper than " + MAX_DEPTH + " files");
      return null;
    }
    if (++nodes.includes[0] > MAX_INCLUDES) {
      nodes.error(include.value(), "more than " + MAX_INCLUDES + " includes in all: refused");
      return null;
    }
    SourcePos via = nodes.pos(include.value());
    List<Problem> problems = nodes.problems();
    Path shown = shown(nodes.file, name);
    List<Problem> own = new ArrayList<>();
    Optional<Node> root = YamlSource.compose(file, own);
    for (Problem p : own) {
      // Chained to the include step; a missing or unreadable file is the step's own problem.
      SourcePos at = p.pos();
      nodes.problem(new SourcePos(shown, at.line(), at.column(), via), p.message());
    }
    if (root == null) {
      return null;
    }
    if (root.isEmpty() || !(root.get() instanceof MappingNode m)) {
      nodes.problem(via, "include: " + shown + " is not a mapping with steps: (and vars:)");
      return null;
    }
    List<Path> chain = new ArrayList<>(nodes.chain);
    chain.add(file);
    NodeReader inner = new NodeReader(shown, problems, via, chain, nodes.includes);
    inner.inventoryScope = nodes.inventoryScope;
    Map<String, Entry> e = inner.entries(m, KEYS);
    // The included file's defaults may use the outer scope and the parameters given.
    Set<String> params = new HashSet<>(scope);
    params.addAll(given.keySet());
    Map<String, String> defaults = e.containsKey("vars")
        ? inner.vars(e.get("vars").value(), params) : Map.of();
    params.addAll(defaults.keySet());
    if (!e.containsKey("steps")) {
      inner.error(m, "an included file needs 'steps' (a list)");
      return null;
    }
    StepParser steps = new StepParser(inner, new PatternParser(inner));
    List<Step> list = steps.steps(e.get("steps").value(), params, captures);
    Map<String, String> all = new LinkedHashMap<>(defaults);
    all.putAll(given);
    return new Step.Include(file, all, list, pos);
  }

  /** The included file as messages show it: beside the including file as that one is shown. */
  private static Path shown(Path including, String name) {
    Path parent = including.getParent();
    return (parent == null ? Path.of(name) : parent.resolve(name)).normalize();
  }
}
