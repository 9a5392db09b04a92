package dev.promptly.cli;

import dev.promptly.api.Promptly;
import dev.promptly.api.RunOptions;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.Durations;
import dev.promptly.dsl.LoadResult;
import dev.promptly.report.ConsoleView;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import dev.promptly.report.Summary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
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
        + "130/143 interrupted by SIGINT/SIGTERM.")
final class RunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", arity = "1..*", description = "dialogue files (YAML)")
  List<Path> files;

  @Option(names = {"-j", "--jobs"}, paramLabel = "N",
      description = "at most N children alive at once (default: number of processors)")
  Integer jobs;

  @Option(names = "--var", paramLabel = "NAME=VALUE",
      description = "a variable for every dialogue; overrides its vars (repeatable)")
  Map<String, String> vars = Map.of();

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

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Set by tests: the terminal checks of a real console do not apply to their writers. */
  static volatile boolean consoleChecks = true;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
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
    Map<String, String> cliVars = vars == null ? Map.of() : vars;
    cliVars.forEach(options::putVar);

    LoadResult loaded = DialogueLoader.loadAll(files, cliVars);
    if (!loaded.problems().isEmpty()) {
      loaded.problems().forEach(err::println);
      err.println(loaded.problems().size() + " error(s); nothing was run");
      return PromptlyCommand.BAD_INPUT;
    }

    ConsoleView view = new ConsoleView(out, err, style());
    int planned = Promptly.countRuns(loaded.dialogues());
    view.setTotal(planned);
    List<RunObserver> observers = new ArrayList<>();
    observers.add(view);
    long t0 = System.nanoTime();
    List<RunResult> results;
    AtomicInteger signal = new AtomicInteger();
    try (Promptly engine = Promptly.create()) {
      if (consoleChecks) {
        Interrupts.install(sig -> {
          signal.compareAndSet(0, sig);
          engine.stopAll("interrupted: promptly received " + (sig == 2 ? "SIGINT" : "SIGTERM"));
        });
      }
      long ticker = view.statusShown() ? engine.vertx().setPeriodic(500, id -> view.tick()) : -1;
      results = engine.run(loaded.dialogues(), options, RunObserver.all(observers))
          .toCompletionStage().toCompletableFuture().join();
      if (ticker >= 0) {
        engine.vertx().cancelTimer(ticker);
      }
    }
    out.flush();
    new Summary(err, view).print(results, planned - results.size(),
        Duration.ofNanos(System.nanoTime() - t0));
    if (signal.get() != 0) {
      return 128 + signal.get();
    }
    return results.size() == planned && results.stream().allMatch(RunResult::passed)
        ? PromptlyCommand.PASSED : PromptlyCommand.FAILED;
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
