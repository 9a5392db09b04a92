package dev.promptly.cli;

import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code promptly check FILE...}: parse and validate only. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Parse and validate dialogue files; run nothing. Exit 0 valid, 2 errors.")
final class CheckCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", arity = "1..*", description = "dialogue files (YAML), or folders: every *.yaml and *.yml below them")
  List<Path> files;

  @CommandLine.Option(names = "--var", paramLabel = "NAME=VALUE",
      description = "a variable, as `run` would get it (repeatable)")
  Map<String, String> vars = Map.of();

  @CommandLine.Option(names = "--var-file", paramLabel = "FILE",
      description = "variables from a file, as `run` would get them (repeatable)")
  List<Path> varFiles = List.of();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    // The names a var file gives count as defined; like run, they need not all be used.
    Map<String, String> given = new java.util.LinkedHashMap<>();
    try {
      for (Path f : varFiles == null ? List.<Path>of() : varFiles) {
        given.putAll(OutsideValues.varFile(f));
      }
    } catch (IllegalArgumentException e) {
      err.println("promptly: " + e.getMessage());
      err.flush();
      return PromptlyCommand.BAD_INPUT;
    }
    given.putAll(vars == null ? Map.of() : vars);
    LoadResult loaded = DialogueLoader.loadAll(files, given);
    if (!loaded.problems().isEmpty()) {
      loaded.problems().forEach(p -> err.println(p));
      err.println(loaded.problems().size() + " error(s); nothing to run");
      err.flush();
      return PromptlyCommand.BAD_INPUT;
    }
    List<String> unused = DialogueLoader.unusedVars(loaded.dialogues(),
        vars == null ? Map.of() : vars);
    if (!unused.isEmpty()) {
      unused.forEach(u -> err.println("promptly: " + u));
      err.println(unused.size() + " error(s); nothing to run");
      err.flush();
      return PromptlyCommand.BAD_INPUT;
    }
    DialogueLoader.warnings(loaded.dialogues(), vars == null ? Map.of() : vars).forEach(err::println);
    spec.commandLine().getOut().println(loaded.dialogues().size() + " dialogue(s) OK");
    spec.commandLine().getOut().flush();
    return PromptlyCommand.PASSED;
  }
}
