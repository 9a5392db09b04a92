package dev.promptly.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in process, as a user would type it, and keeps what it printed. */
public final class Cli {
  private Cli() {
  }

  /** What a command did: its exit code and everything it wrote to stdout and stderr. */
  public record Outcome(int code, String out, String err) {
  }

  /** {@code promptly ARGS...} with writers of its own. */
  public static Outcome promptly(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Outcome(code, out.toString(), err.toString());
  }
}
