package dev.promptly.engine;

import dev.promptly.api.RunOptions;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs dialogue text through the real loader and engine, as the CLI does. */
public final class TestRuns {
  /** The folder of test children (src/test/children). */
  public static final Path CHILDREN = Path.of("src/test/children").toAbsolutePath();

  private TestRuns() {
  }

  /** Writes {@code yaml} to {@code dir/name.yaml}. */
  public static Path write(Path dir, String name, String yaml) {
    try {
      Path f = dir.resolve(name + ".yaml");
      Files.writeString(f, yaml, StandardCharsets.UTF_8);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads and runs; fails the test if the file has problems. */
  public static List<RunResult> run(Path file, RunOptions options) {
    return run(file, options, RunObserver.NONE);
  }

  public static List<RunResult> run(Path file, RunOptions options, RunObserver observer) {
    LoadResult loaded = DialogueLoader.load(file, options.getVars());
    if (!loaded.problems().isEmpty()) {
      throw new AssertionError("dialogue has problems: " + loaded.problems());
    }
    try (Engine engine = Engine.create()) {
      return engine.run(loaded.dialogues(), TestRuns.settings(options), observer)
          .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** One run of a one-dialogue file. */
  public static RunResult runOne(Path dir, String yaml) {
    return runOne(dir, yaml, new RunOptions());
  }

  public static RunResult runOne(Path dir, String yaml, RunOptions options) {
    List<RunResult> results = run(write(dir, "dialogue", yaml), options);
    if (results.size() != 1) {
      throw new AssertionError("expected one run, got " + results);
    }
    return results.get(0);
  }

  /** Whether a process with this pid still exists (a zombie counts as gone). */
  public static boolean alive(long pid) {
    Path status = Path.of("/proc/" + pid + "/status");
    try {
      return Files.readAllLines(status).stream()
          .noneMatch(l -> l.startsWith("State:") && l.contains("Z"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Polls {@code alive} until it is false or the limit passes; returns the last answer. */
  public static boolean stillAliveAfter(long pid, long millis) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (alive(pid) && System.nanoTime() < end) {
      Thread.onSpinWait();
      Thread.sleep(10);
    }
    return alive(pid);
  }

  static Map<String, String> vars(String... kv) {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  /** The settings the engine takes for the options a test sets. */
  public static RunSettings settings(RunOptions o) {
    return new RunSettings(o.getJobs(), o.getTimeout(), o.getGrace(), o.getVars(), o.getWindow(),
        o.isFailFast());
  }
}
