package dev.promptly.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code promptly} command. */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    // Set before the first Vertx is made: promptly resolves no host names and serves no files.
    System.setProperty("vertx.disableDnsResolver", "true");
    System.setProperty("vertx.disableFileCPResolving", "true");
    // The command's quiet logging, set before anything logs.
    Logging.quiet();
    PrintWriter out = Streams.stdout();
    PrintWriter err = Streams.stderr();
    if ("1".equals(System.getenv("PROMPTLY_TRAINING"))) {
      // The launcher's training run: an SSH run in-process too, so its classes are archived.
      dev.promptly.process.ssh.SshWarmup.run();
    }
    Integer code = fastRun(args, out, err);
    System.exit(code != null ? code : PromptlyCommand.execute(args, out, err));
  }

  /**
   * The common {@code run} command line, parsed by hand: picocli reads its annotations by
   * reflection, and its classes (Java 5 bytecode) are never in the class-data archive, which costs
   * 150-250 ms of a 0.4 s run (even building a spec in code loads and verifies them). Only a line made of options this parser
   * knows exactly as picocli reads them is taken; anything else (help, a new option, a mistake)
   * returns null and goes through picocli, so the two cannot disagree.
   */
  static Integer fastRun(String[] args, PrintWriter out, PrintWriter err) {
    if (args.length < 2 || !args[0].equals("run")) {
      return null;
    }
    RunCommand run = new RunCommand();
    List<Path> files = new ArrayList<>();
    Map<String, String> vars = new LinkedHashMap<>();
    boolean onlyFiles = false;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (onlyFiles || !a.startsWith("-") || a.equals("-")) {
        files.add(Path.of(a));
        continue;
      }
      String name = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      switch (name) {
        case "--" -> onlyFiles = true;
        case "-q", "--quiet" -> {
          if (value != null) {
            return null;
          }
          run.quiet = true;
        }
        case "-j", "--jobs", "--var", "--timeout", "--grace", "-i", "--inventory", "--limit" -> {
          if (value == null) {
            if (++i >= args.length) {
              return null;
            }
            value = args[i];
          }
          if (!option(run, vars, name, value)) {
            return null;
          }
        }
        default -> {
          return null;
        }
      }
    }
    if (files.isEmpty()) {
      return null;
    }
    run.files = files;
    run.vars = vars;
    run.fastOut = out;
    run.fastErr = err;
    try {
      return run.call();
    } catch (RuntimeException e) {
      err.println("promptly: internal error: " + e);
      return PromptlyCommand.BAD_INPUT;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private static boolean option(RunCommand run, Map<String, String> vars, String name,
                                String value) {
    switch (name) {
      case "-j", "--jobs" -> {
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(Character::isDigit)) {
          return false;
        }
        run.jobs = Integer.parseInt(value);
      }
      case "--var" -> {
        int eq = value.indexOf('=');
        if (eq <= 0) {
          return false;
        }
        vars.put(value.substring(0, eq), value.substring(eq + 1));
      }
      case "--timeout" -> run.timeout = value;
      case "-i", "--inventory" -> run.inventory = Path.of(value);
      case "--limit" -> run.limit = value;
      case "--grace" -> run.grace = value;
      default -> {
        return false;
      }
    }
    return true;
  }
}
