package dev.promptly.cli;

import dev.promptly.api.RunOptions;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.engine.Engine;
import dev.promptly.engine.RunSettings;
import dev.promptly.dsl.Durations;
import dev.promptly.dsl.LoadResult;
import dev.promptly.report.ConsoleView;
import dev.promptly.report.JsonReport;
import dev.promptly.report.JunitReport;
import dev.promptly.report.OwnerOnly;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import dev.promptly.report.Summary;
import dev.promptly.report.TranscriptWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code promptly run [options] FILE...}: run dialogues. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run dialogue files. Exit 0 all passed, 1 a run failed, 2 bad input, "
        + "130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.")
final class RunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", arity = "1..*", description = "dialogue files (YAML), or folders: every *.yaml and *.yml below them")
  List<Path> files;

  @Option(names = {"-j", "--jobs"}, paramLabel = "N",
      description = "at most N children alive at once (default: number of processors)")
  Integer jobs;

  @Option(names = "--var", paramLabel = "NAME=VALUE",
      description = "a variable for every dialogue; overrides its vars (repeatable)")
  Map<String, String> vars = Map.of();

  @Option(names = "--var-file", paramLabel = "FILE",
      description = "variables from a file: YAML (NAME: value) or .env lines (NAME=VALUE);"
          + " --var overrides them (repeatable)")
  List<Path> varFiles = List.of();

  @Option(names = "--secret", paramLabel = "NAME[=@FILE]",
      description = "a secret variable, masked everywhere: asked on the terminal with echo off,"
          + " or read from a file private to you (repeatable)")
  List<String> secretSpecs = List.of();

  @Option(names = {"-i", "--inventory"}, paramLabel = "FILE",
      description = "an Ansible inventory (INI or YAML) for dialogues with hosts:")
  Path inventory;

  @Option(names = "--limit", paramLabel = "PATTERN",
      description = "run only on the inventory hosts of this pattern (as Ansible's --limit)")
  String limit;

  @Option(names = "--timeout", paramLabel = "DURATION",
      description = "default step timeout (500ms, 10s, 2m; default 10s)")
  String timeout;

  @Option(names = "--grace", paramLabel = "DURATION",
      description = "time between SIGTERM and SIGKILL when a child is stopped (default 2s)")
  String grace;

  @Option(names = "--fail-fast",
      description = "on the first failure start no new run and stop the running ones")
  boolean failFast;

  @Option(names = {"-q", "--quiet"}, description = "no child output, only progress and summary")
  boolean quiet;

  @Option(names = "--transcript", paramLabel = "DIR",
      description = "per run: DIR/NAME.out (every byte the child wrote), DIR/NAME.log (timeline),"
          + " DIR/NAME.cast (asciicast) and DIR/NAME.screen (the final screen) for pty runs;"
          + " owner-only")
  Path transcript;

  @Option(names = "--junit", paramLabel = "FILE",
      description = "JUnit XML report: one testcase per run")
  Path junit;

  @Option(names = "--json", paramLabel = "FILE",
      description = "JSON report: every run and step (schema/promptly-report.schema.json)")
  Path json;

  @Option(names = "--html", paramLabel = "FILE",
      description = "HTML report: one self-contained page, failed runs first, pty runs replayed")
  Path html;

  @Option(names = {"-v", "--verbose"},
      description = "log engine events (spawn, match, send, exit) to stderr")
  boolean verbose;

  @Option(names = "--cluster",
      description = "run on the workers of a cluster (promptly worker); see --join")
  boolean clusterRun;

  @CommandLine.Mixin
  ClusterOptions cluster = new ClusterOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Set by tests: the terminal checks of a real console do not apply to their writers. */
  static volatile boolean consoleChecks = true;

  /** Set by Main's fast path, which runs this command without picocli (and without a spec). */
  PrintWriter fastOut;
  PrintWriter fastErr;

  @Override
  public Integer call() {
    PrintWriter out = fastOut != null ? fastOut : spec.commandLine().getOut();
    PrintWriter err = fastErr != null ? fastErr : spec.commandLine().getErr();
    RunOptions options = new RunOptions().setFailFast(failFast);
    try {
      if (jobs != null) {
        options.setJobs(jobs);
      }
      if (timeout != null) {
        options.setTimeout(Durations.parse(timeout));
      }
      if (grace != null) {
        options.setGrace(Durations.parse(grace));
      }
    } catch (IllegalArgumentException e) {
      err.println("promptly: " + e.getMessage());
      return PromptlyCommand.BAD_INPUT;
    }
    Map<String, String> fromFiles = new java.util.LinkedHashMap<>();
    Map<String, String> secretValues = new java.util.LinkedHashMap<>();
    try {
      for (Path f : varFiles == null ? List.<Path>of() : varFiles) {
        fromFiles.putAll(OutsideValues.varFile(f));
      }
      for (String s : secretSpecs == null ? List.<String>of() : secretSpecs) {
        Map.Entry<String, String> e = OutsideValues.secret(s, System.console());
        secretValues.put(e.getKey(), e.getValue());
      }
    } catch (IllegalArgumentException e) {
      err.println("promptly: " + e.getMessage());
      return PromptlyCommand.BAD_INPUT;
    }
    // Precedence: --var-file, then --var, then --secret.
    Map<String, String> given = new java.util.LinkedHashMap<>(fromFiles);
    given.putAll(vars == null ? Map.of() : vars);
    given.putAll(secretValues);
    Map<String, String> cliVars = Map.copyOf(given);
    // A var file serves many dialogues: only --var and --secret must be used by one.
    Map<String, String> named = new java.util.LinkedHashMap<>(vars == null ? Map.of() : vars);
    named.putAll(secretValues);
    cliVars.forEach(options::putVar);

    if (!clusterRun) {
      // The natives load while the files are read and checked (issue 20).
      Engine.prepareInBackground();
    }
    LoadResult loaded = DialogueLoader.loadAll(files, cliVars);
    if (!loaded.problems().isEmpty()) {
      loaded.problems().forEach(err::println);
      err.println(loaded.problems().size() + " error(s); nothing was run");
      return PromptlyCommand.BAD_INPUT;
    }
    loaded = new LoadResult(DialogueLoader.withSecrets(loaded.dialogues(),
        secretValues.keySet()), List.of());
    if (inventory != null) {
      List<dev.promptly.dsl.Problem> problems = new ArrayList<>();
      options.setInventory(dev.promptly.dsl.inventory.Inventory.load(inventory, problems));
      if (!problems.isEmpty()) {
        problems.forEach(err::println);
        err.println(problems.size() + " error(s) in the inventory; nothing was run");
        return PromptlyCommand.BAD_INPUT;
      }
    }
    options.setLimit(limit);
    List<dev.promptly.dsl.Problem> hostProblems = Engine.hostProblems(loaded.dialogues(),
        options.getVars(), options.getInventory(), options.getLimit());
    if (!hostProblems.isEmpty()) {
      hostProblems.forEach(err::println);
      err.println(hostProblems.size() + " error(s); nothing was run");
      return PromptlyCommand.BAD_INPUT;
    }
    List<String> unused = DialogueLoader.unusedVars(loaded.dialogues(), named);
    if (!unused.isEmpty()) {
      unused.forEach(u -> err.println("promptly: " + u));
      err.println(unused.size() + " error(s); nothing was run");
      return PromptlyCommand.BAD_INPUT;
    }

    List<String> noTerminal = needTerminal(loaded);
    if (!noTerminal.isEmpty()) {
      noTerminal.forEach(err::println);
      err.println(noTerminal.size() + " error(s); nothing was run");
      return PromptlyCommand.BAD_INPUT;
    }

    DialogueLoader.warnings(loaded.dialogues(), cliVars).forEach(err::println);
    Runnable restoreLogging = verbose ? Logging.verbose() : () -> { };
    try {
      return run(loaded, options, out, err);
    } finally {
      restoreLogging.run();
    }
  }

  private int run(LoadResult loaded, RunOptions options, PrintWriter out, PrintWriter err) {
    // Where reports go is checked before anything runs: a typo costs nothing.
    TranscriptWriter transcripts = null;
    try {
      if (transcript != null) {
        transcripts = new TranscriptWriter(transcript);
        List<String> names = new ArrayList<>();
        loaded.dialogues().forEach(d -> names.addAll(Engine.runNames(d, options.getVars(), options.getInventory(),
            options.getLimit())));
        transcripts.check(names);
      }
      for (Path report : new Path[] {junit, json, html}) {
        if (report != null) {
          OwnerOnly.checkWritable(report);
        }
      }
    } catch (IOException | RuntimeException e) {
      err.println("promptly: cannot write reports there: " + e.getMessage()
          + "; nothing was run");
      return PromptlyCommand.BAD_INPUT;
    }

    ConsoleView view = new ConsoleView(out, err, style());
    RunSettings settings = new RunSettings(options.getJobs(), options.getTimeout(),
        options.getGrace(), options.getVars(), options.getWindow(), options.isFailFast());
    int planned = Engine.countRuns(loaded.dialogues(), settings.vars(),
        options.getInventory(), options.getLimit());
    view.setTotal(planned);
    JunitReport junitReport = junit == null ? null : new JunitReport();
    List<RunObserver> observers = new ArrayList<>();
    observers.add(view);
    if (transcripts != null) {
      observers.add(transcripts);
    }
    if (junitReport != null) {
      observers.add(junitReport);
    }
    dev.promptly.report.HtmlReport htmlReport = html == null ? null
        : new dev.promptly.report.HtmlReport();
    if (htmlReport != null) {
      observers.add(htmlReport);
    }
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    List<RunResult> results;
    AtomicInteger signal = new AtomicInteger();
    java.util.Map<String, JsonReport.Placement> placements = new java.util.HashMap<>();
    if (clusterRun) {
      try {
        results = ClusterRun.run(cluster, loaded, options, RunObserver.all(observers.subList(1,
            observers.size())), view, err, signal, placements);
      } catch (IllegalArgumentException e) {
        err.println("promptly: " + e.getMessage());
        return PromptlyCommand.BAD_INPUT;
      }
    } else
    try (Engine engine = Engine.create()) {
      if (consoleChecks) {
        Interrupts.install(sig -> {
          if (signal.compareAndSet(0, sig)) {
            engine.stopAll("interrupted: promptly received "
                + dev.promptly.process.Signals.name(sig));
          } else {
            // Asked twice (a second ^C): kill now instead of waiting for the grace period.
            engine.killAll();
          }
        });
      }
      // Prompts left waiting are shown after a short idle time; the status line moves on.
      long ticker = engine.vertx().setPeriodic(100, id -> view.tick());
      results = engine.run(loaded.dialogues(), settings, options.getInventory(),
          options.getLimit(), RunObserver.all(observers))
          .toCompletionStage().toCompletableFuture().join();
      if (ticker >= 0) {
        engine.vertx().cancelTimer(ticker);
      }
    }
    if (transcripts != null) {
      transcripts.close();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
    out.flush();
    new Summary(err, view).print(results, planned - results.size(), elapsed);
    // Reports count every planned run: those never started are there too (skipped).
    List<RunResult> all = everyRun(loaded, options, results, signal.get() != 0
        ? "not started: promptly was interrupted" : "not started: --fail-fast stopped the runs"
        + " after a failure");

    // Reports cover every run that finished, passed or not.
    boolean reportsOk = true;
    if (transcripts != null) {
      for (String e : transcripts.errors()) {
        err.println("promptly: " + e);
        reportsOk = false;
      }
    }
    try {
      if (junitReport != null) {
        junitReport.write(junit, all);
      }
    } catch (IOException | RuntimeException e) {
      err.println("promptly: cannot write " + junit + ": " + e.getMessage());
      reportsOk = false;
    }
    try {
      if (json != null) {
        TranscriptWriter tw = transcripts;
        JsonReport report = (tw == null ? new JsonReport() : new JsonReport(tw::files))
            .placements(placements);
        report.write(json, all, started, elapsed);
      }
    } catch (IOException | RuntimeException e) {
      err.println("promptly: cannot write " + json + ": " + e.getMessage());
      reportsOk = false;
    }
    try {
      if (htmlReport != null) {
        TranscriptWriter tw = transcripts;
        htmlReport.write(html, all, started, elapsed,
            tw == null ? run -> java.util.Optional.empty() : tw::files);
      }
    } catch (IOException | RuntimeException e) {
      err.println("promptly: cannot write " + html + ": " + e.getMessage());
      reportsOk = false;
    }
    err.flush();
    if (signal.get() != 0) {
      return 128 + signal.get();
    }
    return reportsOk && results.size() == planned && results.stream().allMatch(RunResult::passed)
        ? PromptlyCommand.PASSED : PromptlyCommand.FAILED;
  }

  /** Interact steps, when promptly's input is no terminal to hand over: said before any run. */
  private static List<String> needTerminal(LoadResult loaded) {
    List<String> problems = new ArrayList<>();
    if (Tty.isTerminal(0)) {
      return problems;
    }
    for (var d : loaded.dialogues()) {
      dev.promptly.dsl.StepTree.forEachStep(d, s -> {
        if (s instanceof dev.promptly.dsl.Step.Interact) {
          problems.add(s.pos() + ": interact: needs a terminal to hand over, and promptly's"
              + " input is not one (run it from a terminal)");
        }
      });
    }
    return problems;
  }

  /** The results in the order the runs were planned, with the runs never started added. */
  private static List<RunResult> everyRun(LoadResult loaded, RunOptions options,
                                          List<RunResult> results, String why) {
    java.util.Map<String, RunResult> byName = new java.util.HashMap<>();
    results.forEach(r -> byName.put(r.name(), r));
    List<RunResult> all = new ArrayList<>();
    for (var d : loaded.dialogues()) {
      for (String name : Engine.runNames(d, options.getVars(), options.getInventory(),
            options.getLimit())) {
        RunResult r = byName.remove(name);
        all.add(r != null ? r : RunResult.notStarted(name, d.file(), why));
      }
    }
    all.addAll(byName.values());
    return all;
  }

  private ConsoleView.Style style() {
    if (!consoleChecks) {
      return ConsoleView.Style.plain(!quiet);
    }
    boolean noColour = System.getenv("NO_COLOR") != null && !System.getenv("NO_COLOR").isEmpty();
    boolean ci = System.getenv("CI") != null;
    boolean outTty = Tty.isTerminal(1);
    boolean errTty = Tty.isTerminal(2);
    return new ConsoleView.Style(!quiet, outTty && !noColour, errTty && !ci);
  }
}
