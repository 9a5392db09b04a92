package dev.promptly.cli;

import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.engine.Recording;
import dev.promptly.process.ExitStatus;
import dev.promptly.process.SpawnException;
import dev.promptly.process.Signals;
import dev.promptly.report.OwnerOnly;
import dev.promptly.terminal.DialogueRecorder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code promptly record [-o FILE] [--pty] -- PROGRAM ARGS...}: write a dialogue by example. */
@Command(name = "record", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a program for you and write a dialogue that replays the session: each line"
        + " you type becomes an expect of the prompt before it and a sendline; what you type with"
        + " echo off becomes $${env:PROMPTLY_SECRET_N}, never written. A .cast is written beside"
        + " it. Exits with the program's status."})
final class RecordCommand implements Callable<Integer> {
  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "the dialogue to write (default: recorded.yaml); FILE.cast beside it")
  Path output = Path.of("recorded.yaml");

  @Option(names = "--pty", description = "run the program on a pseudo-terminal (needed to tell"
      + " passwords typed with echo off, and for full-screen programs)")
  boolean pty;

  @Option(names = "--force", description = "overwrite FILE and its .cast if they exist")
  boolean force;

  @Parameters(paramLabel = "PROGRAM", arity = "1..*", description = "the program and its arguments")
  List<String> command;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Path file = output.toAbsolutePath().normalize();
    Path cast = castOf(file);
    for (Path p : new Path[] {file, cast}) {
      if (!force && Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        err.println("promptly: " + p + " exists; nothing was run (--force overwrites it)");
        return PromptlyCommand.BAD_INPUT;
      }
      try {
        OwnerOnly.checkWritable(p);
      } catch (IOException | RuntimeException e) {
        err.println("promptly: cannot write " + p + ": " + e.getMessage() + "; nothing was run");
        return PromptlyCommand.BAD_INPUT;
      }
    }
    Path cwd = Path.of("").toAbsolutePath();
    DialogueRecorder recorder = new DialogueRecorder();
    Recording.Outcome outcome;
    try {
      outcome = Recording.run(command, cwd, pty, recorder);
    } catch (SpawnException e) {
      err.println("promptly: " + e.getMessage());
      return PromptlyCommand.BAD_INPUT;
    } catch (IOException e) {
      err.println("promptly: " + e.getMessage());
      return PromptlyCommand.FAILED;
    }
    ExitStatus status = outcome.status();
    Path dir = file.getParent();
    String rel = dir.equals(cwd) ? null : dir.relativize(cwd).toString();
    String yaml = recorder.dialogue(command, pty, rel == null || rel.isEmpty() ? "." : rel,
        status == null ? "any" : status.bySignal() ? Signals.name(status.signal())
            : Integer.toString(status.code()));
    if (rel == null) {
      yaml = yaml.replace("cwd: \".\"\n", "");
    }
    try {
      String text = yaml;
      OwnerOnly.replace(file, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
      String recording = recorder.cast(outcome.rows(), outcome.columns(), baseName(file),
          outcome.term());
      OwnerOnly.replace(cast, os -> os.write(recording.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      err.println("promptly: cannot write " + file + ": " + e.getMessage());
      return PromptlyCommand.FAILED;
    }
    err.println("promptly: wrote " + file + " and " + cast.getFileName()
        + (recorder.secrets() > 0 ? "; set PROMPTLY_SECRET_1"
            + (recorder.secrets() > 1 ? "..PROMPTLY_SECRET_" + recorder.secrets() : "")
            + " before running it" : ""));
    // The written file must load: a recorder bug is said here, not at the first run.
    LoadResult loaded = DialogueLoader.loadAll(List.of(file), Map.of());
    loaded.problems().stream()
        .filter(p -> !p.toString().contains(DialogueRecorder.SECRET_PREFIX))
        .forEach(p -> err.println("promptly: warning: " + p));
    err.flush();
    if (status == null) {
      return PromptlyCommand.FAILED;
    }
    return status.bySignal() ? 128 + status.signal() : status.code();
  }

  static Path castOf(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return file.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".cast");
  }

  private static String baseName(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
