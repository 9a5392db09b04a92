package dev.promptly.dsl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Loads dialogue files into validated, immutable {@link Dialogue}s. It never throws on bad
 * input: every problem of a file (syntax, unknown keys, wrong types, undefined variables, bad
 * regexes, ...) comes back at once as a {@link Problem} with file, line and column.
 *
 * <p>A file holds one dialogue (a mapping) or a list under {@code dialogues:}. Strings keep
 * their {@code ${...}}: the engine substitutes them with {@link Vars#substitute} at run time,
 * when captures are known. Send texts have their backslash escapes decoded already
 * ({@link Escapes}).
 */
public final class DialogueLoader {
  /**
   * Problems by line, then column, of the place in the file that was loaded. A class, not
   * {@code Comparator.comparingInt(...)}: linking those lambdas and method handles was ~10 ms of
   * the main thread at every start (sampled with async-profiler), before any problem exists.
   */
  private static final Comparator<Problem> BY_PLACE = new Comparator<>() {
    @Override
    public int compare(Problem a, Problem b) {
      SourcePos pa = a.pos().outermost();
      SourcePos pb = b.pos().outermost();
      return pa.line() != pb.line() ? Integer.compare(pa.line(), pb.line())
          : Integer.compare(pa.column(), pb.column());
    }
  };

  private DialogueLoader() {
  }

  /**
   * Loads one file.
   *
   * @param file the dialogue file; messages show it as given
   * @param cliVars variables from the command line ({@code --var}); their names count as
   *     defined when {@code ${...}} references are checked
   */
  public static LoadResult load(Path file, Map<String, String> cliVars) {
    List<Problem> problems = new ArrayList<>();
    List<Dialogue> dialogues = new ArrayList<>();
    try {
      Optional<Node> root = YamlSource.compose(file, problems);
      if (root != null && root.isEmpty()) {
        problems.add(new Problem(new SourcePos(file, 1, 1),
            "the file holds no dialogue (it needs at least 'command' and 'steps')"));
      } else if (root != null) {
        dialogues.addAll(new DialogueParser(file, Map.copyOf(cliVars), problems)
            .parse(root.get()));
      }
    } catch (NodeReader.TooManyProblems e) {
      problems.add(new Problem(problems.get(problems.size() - 1).pos(),
          "too many problems; stopped here"));
      dialogues.clear();
    } catch (RuntimeException | StackOverflowError e) {
      // A bug of ours must still come out as a message with a place, never as a stack trace.
      problems.add(new Problem(new SourcePos(file, 1, 1), "internal error while loading: "
          + Texts.oneLine(String.valueOf(e))));
      dialogues.clear();
    }
    // Problems of included files stand at their include step, in the file that was loaded.
    problems.sort(BY_PLACE);
    return new LoadResult(dialogues, problems);
  }

  /**
   * Loads files in order and also reports dialogue names used twice (reports and run names
   * would be ambiguous).
   */
  public static LoadResult loadAll(List<Path> files, Map<String, String> cliVars) {
    List<Dialogue> dialogues = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    List<Path> expanded = new ArrayList<>();
    java.util.Set<Path> walked = new java.util.HashSet<>();
    for (Path f : files) {
      List<Path> found = expand(f, problems);
      expanded.addAll(found);
      if (java.nio.file.Files.isDirectory(f)) {
        walked.addAll(found);
      }
    }
    Map<Path, LoadResult> results = new java.util.LinkedHashMap<>();
    java.util.Set<Path> included = new java.util.HashSet<>();
    for (Path f : expanded) {
      LoadResult r = load(f, cliVars);
      results.put(f, r);
      for (Dialogue d : r.dialogues()) {
        StepTree.forEachStep(d, s -> {
          if (s instanceof Step.Include i) {
            included.add(i.file());
          }
        });
      }
    }
    for (Map.Entry<Path, LoadResult> r : results.entrySet()) {
      // A file found in a folder that another file includes is a procedure, not a dialogue.
      Path f = r.getKey();
      if (!walked.contains(f) || !included.contains(f.toAbsolutePath().normalize())) {
        problems.addAll(r.getValue().problems());
        dialogues.addAll(r.getValue().dialogues());
      }
    }
    dialogues = distinctNames(dialogues);
    Map<String, Dialogue> byName = new HashMap<>();
    for (Dialogue d : dialogues) {
      Dialogue first = byName.putIfAbsent(d.name(), d);
      if (first != null) {
        problems.add(new Problem(d.pos(), "duplicate dialogue name '"
            + Texts.shorten(d.name()) + "' (first at " + first.pos() + ")"));
      }
    }
    return new LoadResult(dialogues, problems);
  }

  /** A file as is; a folder as every {@code *.yaml} and {@code *.yml} below it, in path order. */
  private static List<Path> expand(Path f, List<Problem> problems) {
    if (!java.nio.file.Files.isDirectory(f)) {
      return List.of(f);
    }
    try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(f,
        java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
      List<Path> found = walk.filter(p -> {
        String n = p.getFileName().toString();
        return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith(".")
            && java.nio.file.Files.isRegularFile(p);
      }).sorted().toList();
      if (found.isEmpty()) {
        problems.add(new Problem(new SourcePos(f, 1, 1),
            "the folder holds no dialogue files (*.yaml, *.yml)"));
      }
      return found;
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      problems.add(new Problem(new SourcePos(f, 1, 1), "cannot read the folder: "
          + Texts.oneLine(String.valueOf(e.getMessage()))));
      return List.of();
    }
  }

  /**
   * Dialogues of different files that got the same name (two {@code deploy.yaml} in two folders)
   * are named by their folders too ({@code web/deploy}, {@code db/deploy}): as many folder names
   * as it takes. Names repeated within one file stay as they are (an error).
   */
  private static List<Dialogue> distinctNames(List<Dialogue> dialogues) {
    Map<String, java.util.Set<Path>> files = new HashMap<>();
    for (Dialogue d : dialogues) {
      files.computeIfAbsent(d.name(), k -> new java.util.HashSet<>())
          .add(d.file().toAbsolutePath().normalize());
    }
    List<Dialogue> out = new ArrayList<>();
    for (Dialogue d : dialogues) {
      java.util.Set<Path> same = files.get(d.name());
      if (same.size() < 2) {
        out.add(d);
        continue;
      }
      Path mine = d.file().toAbsolutePath().normalize().getParent();
      for (int depth = 1; ; depth++) {
        String prefix = tail(mine, depth);
        int finalDepth = depth;
        long clash = same.stream().map(p -> tail(p.getParent(), finalDepth))
            .filter(prefix::equals).count();
        if (clash <= 1 || mine == null || depth > mine.getNameCount()) {
          out.add(renamed(d, prefix.isEmpty() ? d.name() : prefix + "/" + d.name()));
          break;
        }
      }
    }
    return out;
  }

  private static String tail(Path dir, int depth) {
    if (dir == null || dir.getNameCount() == 0) {
      return "";
    }
    int n = dir.getNameCount();
    return dir.subpath(Math.max(0, n - depth), n).toString();
  }

  /**
   * The dialogues with {@code names} (from {@code --secret}) made secret too: their values are
   * masked wherever they appear, as a name under {@code secret:}.
   */
  public static List<Dialogue> withSecrets(List<Dialogue> dialogues,
                                           java.util.Set<String> names) {
    if (names.isEmpty()) {
      return dialogues;
    }
    List<Dialogue> out = new ArrayList<>();
    for (Dialogue d : dialogues) {
      java.util.Set<String> secret = new java.util.HashSet<>(d.secretVars());
      secret.addAll(names);
      out.add(new Dialogue(d.name(), d.file(), d.command(), d.shell(), d.pty(), d.cwd(), d.env(),
          d.timeout(), d.vars(), secret, d.matrix(), d.exit(), d.quiet(), d.terminal(),
          d.steps(), d.pos(), d.ssh(), d.hosts(), d.always()));
    }
    return out;
  }

  private static Dialogue renamed(Dialogue d, String name) {
    return new Dialogue(name, d.file(), d.command(), d.shell(), d.pty(), d.cwd(), d.env(),
        d.timeout(), d.vars(), d.secretVars(), d.matrix(), d.exit(), d.quiet(), d.terminal(),
        d.steps(), d.pos(), d.ssh(), d.hosts(), d.always());
  }

  /**
   * Messages for {@code --var}s that no dialogue uses: a misspelt name would otherwise be
   * ignored silently while the dialogue goes on with its own value (a wrong user's password
   * changed). A variable is used when a dialogue refers to it anywhere or defines it (vars,
   * matrix), so that {@code --var} overrides it.
   */
  public static List<String> unusedVars(List<Dialogue> dialogues, Map<String, String> cliVars) {
    java.util.Set<String> used = new java.util.LinkedHashSet<>();
    for (Dialogue d : dialogues) {
      used.addAll(d.vars().keySet());
      used.addAll(d.matrix().keySet());
      List<String> texts = new ArrayList<>(d.command());
      texts.add(d.name());
      texts.add(d.cwd().toString());
      texts.addAll(d.env().values());
      texts.addAll(d.vars().values());
      if (d.ssh() != null) {
        texts.addAll(d.ssh().fields().values());
        if (d.ssh().target() != null) {
          texts.add(d.ssh().target());
        }
      }
      StepTree.forEachStep(d, s -> {
        if (s instanceof Step.Send send) {
          texts.add(send.text().text());
        } else if (s instanceof Step.Include i) {
          texts.addAll(i.vars().values());
        } else if (s instanceof Step.SetVars set) {
          texts.addAll(set.values().values());
        } else if (s instanceof Step.Log log) {
          texts.add(log.text());
        } else if (s instanceof Step.When w) {
          used.addAll(w.condition().names());
        } else if (s instanceof Step.Interact i) {
          for (Branch.Pattern p : new Branch.Pattern[] {i.until(), i.inputUntil()}) {
            texts.add(p instanceof Branch.Pattern.Literal l ? l.text()
                : p instanceof Branch.Pattern.Regex r ? r.source() : "");
          }
        }
      });
      StepTree.forEachBranch(d, b -> {
        if (b.pattern() instanceof Branch.Pattern.Literal l) {
          texts.add(l.text());
        } else if (b.pattern() instanceof Branch.Pattern.Regex r) {
          texts.add(r.source());
        } else if (b.pattern() instanceof Branch.Pattern.Screen sc) {
          texts.add(sc.text());
        }
        if (b.send() != null) {
          texts.add(b.send().text());
        }
        if (b.fail() != null) {
          texts.add(b.fail());
        }
        if (b.when() != null) {
          used.addAll(b.when().names());
        }
      });
      for (String t : texts) {
        used.addAll(Vars.references(t));
      }
    }
    List<String> messages = new ArrayList<>();
    for (String name : new java.util.TreeSet<>(cliVars.keySet())) {
      if (!used.contains(name)) {
        messages.add("--var " + Texts.shorten(name) + " is not used by any dialogue"
            + NodeReader.didYouMean(name, used.stream()
                .filter(u -> !u.startsWith(Vars.ENV_PREFIX)).toList(), "%s"));
      }
    }
    return messages;
  }

  /** Secrets shorter than this mask common text wherever it appears: worth a warning. */
  public static final int SHORT_SECRET = 4;

  /**
   * Warnings that do not stop a run: a secret whose value (from vars, --var, a matrix or the
   * environment) is shorter than {@link #SHORT_SECRET} characters masks every occurrence of
   * that text in the output, which then hides far more than the secret.
   */
  public static List<String> warnings(List<Dialogue> dialogues, Map<String, String> cliVars) {
    List<String> out = new ArrayList<>();
    for (Dialogue d : dialogues) {
      for (String name : d.secretVars()) {
        List<String> values = new ArrayList<>();
        if (cliVars.containsKey(name)) {
          values.add(cliVars.get(name));
        } else if (d.matrix().containsKey(name)) {
          values.addAll(d.matrix().get(name));
        } else if (d.vars().containsKey(name)) {
          values.add(Vars.substitute(d.vars().get(name), Vars.lookup(
              new java.util.HashMap<>(cliVars), System::getenv)));
        }
        if (values.stream().anyMatch(v -> !v.contains("${") && v.length() < SHORT_SECRET)) {
          out.add(d.pos() + ": warning: secret " + name + " has a value shorter than "
              + SHORT_SECRET + " characters: every occurrence of that text in the output will be"
              + " masked");
        }
      }
    }
    return out;
  }

  /**
   * The argv to start: {@code command} as is, or {@code /bin/sh -c COMMAND} with
   * {@code shell: true}. Variables are not substituted yet.
   */
  public static List<String> argv(Dialogue d) {
    return d.shell() ? List.of("/bin/sh", "-c", d.command().get(0)) : d.command();
  }

  /**
   * The working directory to use: {@link Dialogue#cwd()} is absolute unless it holds
   * {@code ${...}}; then it is substituted here and resolved against the file's folder.
   */
  public static Path resolveCwd(Dialogue d, Function<String, String> lookup) {
    String raw = d.cwd().toString();
    if (d.cwd().isAbsolute() && Vars.references(raw).isEmpty()) {
      return d.cwd();
    }
    Path dir = d.file().toAbsolutePath().normalize().getParent();
    Path sub = Path.of(Vars.substitute(raw, lookup));
    return (dir == null ? sub.toAbsolutePath() : dir.resolve(sub)).normalize();
  }
}
