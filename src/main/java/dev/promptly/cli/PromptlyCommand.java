package dev.promptly.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top command: {@code promptly run|check}, {@code --help}, {@code --version}. */
@Command(name = "promptly", mixinStandardHelpOptions = true,
    versionProvider = PromptlyCommand.Version.class,
    description = "Drives interactive console programs with YAML dialogues.",
    subcommands = {RunCommand.class, CheckCommand.class, RecordCommand.class,
        WorkerCommand.class, SchemaCommand.class, CompletionCommand.class},
    footer = {"", "Exit codes: 0 all passed, 1 a run failed, 2 bad input (nothing was run)."})
public final class PromptlyCommand implements Runnable {
  /** Exit code: every run passed. */
  public static final int PASSED = 0;
  /** Exit code: at least one run failed. */
  public static final int FAILED = 1;
  /** Exit code: bad input (dialogue file or options); nothing was run. */
  public static final int BAD_INPUT = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: run or check");
  }

  /** Runs the command line with the given writers; returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new PromptlyCommand());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(e -> BAD_INPUT);
    cl.setParameterExceptionHandler((e, args2) -> {
      err.println("promptly: " + plainWords(e.getMessage()));
      CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
      err.println("(promptly " + (e.getCommandLine().getCommandName().equals("promptly") ? ""
          : e.getCommandLine().getCommandName() + " ") + "--help lists the options)");
      err.flush();
      return BAD_INPUT;
    });
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      err.println("promptly: internal error: " + e);
      err.flush();
      return BAD_INPUT;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** picocli's messages, with its slips ("option option") and jargon put plainly. */
  static String plainWords(String message) {
    String m = message.replace("option option", "option");
    java.util.regex.Matcher kv = java.util.regex.Pattern.compile(
        "Value for option '([^']+)' \\([^)]*\\) should be in KEY=VALUE format but was (.*)")
        .matcher(m);
    if (kv.matches()) {
      return kv.group(1) + " takes NAME=VALUE, as in " + kv.group(1) + " user=alice (got '"
          + kv.group(2) + "')";
    }
    return m;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = PromptlyCommand.class.getPackage().getImplementationVersion();
      java.util.Properties build = new java.util.Properties();
      try (java.io.InputStream in = PromptlyCommand.class
          .getResourceAsStream("/dev/promptly/build.properties")) {
        if (in != null) {
          build.load(in);
        }
      } catch (java.io.IOException e) {
        // No commit to name: the version alone.
      }
      String commit = build.getProperty("commit", "unknown");
      return new String[] {"promptly " + (v == null ? "development build" : v)
          + " (commit " + commit + ")"};
    }
  }
}
