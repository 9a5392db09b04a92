package dev.promptly.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code promptly completion bash|zsh}: the shell completion script of every command and option,
 * made by picocli's generator from the command line itself (so it never lags behind). One script
 * serves both shells: under zsh it loads bash's completion support ({@code bashcompinit}).
 */
@Command(name = "completion", description = {
    "Prints the shell completion script: source <(promptly completion bash) in ~/.bashrc,",
    "or promptly completion zsh > \"${fpath[1]}/_promptly\" (or source it in ~/.zshrc)."})
public final class CompletionCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
  String shell;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "completion: unknown shell '" + shell + "' (bash or zsh)");
    }
    CommandLine root = spec.commandLine().getParent();
    spec.commandLine().getOut().print(AutoComplete.bash("promptly", root));
    spec.commandLine().getOut().flush();
    return PromptlyCommand.PASSED;
  }
}
