package dev.promptly.cli;

import dev.promptly.api.Promptly;
import dev.promptly.api.RunOptions;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.dsl.Durations;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code promptly run [options] FILE...}: run dialogues. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run dialogue files. Exit 0 all passed, 1 a run failed, 2 bad input.")
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

  @Option(names = {"-q", "--quiet"}, description = "no child output, only the summary")
  boolean quiet;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Set by Main's fast path, which runs this command without picocli (and without a spec). */
  PrintWriter fastOut;
  PrintWriter fastErr;

  @Override
  public Integer call() {
    PrintWriter out = fastOut != null ? fastOut : spec.commandLine().getOut();
    PrintWriter err = fastErr != null ? fastErr : spec.commandLine().getErr();
    RunOptions options = new RunOptions();
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

    Summary summary = new Summary(err);
    List<RunObserver> observers = new ArrayList<>();
    if (!quiet) {
      observers.add(new ConsoleView(out));
    }
    observers.add(summary);
    long t0 = System.nanoTime();
    List<RunResult> results;
    try (Promptly engine = Promptly.create()) {
      results = engine.run(loaded.dialogues(), options, RunObserver.all(observers))
          .toCompletionStage().toCompletableFuture().join();
    }
    out.flush();
    summary.print(results, Duration.ofNanos(System.nanoTime() - t0));
    return results.stream().allMatch(RunResult::passed)
        ? PromptlyCommand.PASSED : PromptlyCommand.FAILED;
  }
}
