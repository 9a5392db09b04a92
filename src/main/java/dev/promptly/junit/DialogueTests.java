package dev.promptly.junit;

import dev.promptly.api.Promptly;
import dev.promptly.api.RunOptions;
import dev.promptly.api.Dialogue;
import dev.promptly.api.Exit;
import dev.promptly.api.RunResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Dialogue files as JUnit 5 dynamic tests: one test per run (a matrix makes one test per
 * combination), each played by the same engine as {@code promptly run}. A failed run fails its
 * test with the command line's message (the step and its place in the file, the patterns waited
 * for, the time against the limit, the last lines received); a file with errors fails one test
 * with every {@code FILE:LINE:COLUMN: message}.
 *
 * <pre>{@code
 * class DialogueFilesTest {
 *   @TestFactory
 *   Stream<DynamicTest> dialogues() {
 *     return DialogueTests.from(Path.of("src/test/dialogues"));   // *.yaml, *.yml, subfolders too
 *   }
 * }
 * }</pre>
 *
 * <p>The engine (with a Vert.x instance of its own) starts with the first test and is closed
 * when JUnit closes the stream, after the last test.
 */
public final class DialogueTests {
  private DialogueTests() {
  }

  /**
   * One test per run of every dialogue file ({@code *.yaml}, {@code *.yml}) in {@code folder}
   * and its subfolders, in path order, with default options.
   *
   * @param folder the folder of dialogue files
   * @return the tests, for a {@code @TestFactory}
   * @throws IllegalArgumentException if the folder does not exist or holds no dialogue file
   */
  public static Stream<DynamicTest> from(Path folder) {
    return from(folder, new RunOptions());
  }

  /**
   * One test per run of every dialogue file in {@code folder} and its subfolders.
   *
   * @param folder the folder of dialogue files
   * @param options default timeout, variables ({@code --var}), grace period
   * @return the tests, for a {@code @TestFactory}
   * @throws IllegalArgumentException if the folder does not exist or holds no dialogue file
   */
  public static Stream<DynamicTest> from(Path folder, RunOptions options) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("no such folder: " + folder.toAbsolutePath());
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no dialogue files (*.yaml, *.yml) in "
          + folder.toAbsolutePath());
    }
    return files(files, options);
  }

  /**
   * One test per run of every dialogue of these files.
   *
   * @param files dialogue files
   * @param options default timeout, variables, grace period
   * @return the tests, for a {@code @TestFactory}
   */
  public static Stream<DynamicTest> files(List<Path> files, RunOptions options) {
    Engine engine = new Engine();
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : files) {
      List<Dialogue> loaded;
      try {
        loaded = Dialogue.load(file, options.getVars());
      } catch (IllegalArgumentException e) {
        String message = e.getMessage() + "\n" + e.getMessage().lines().count()
            + " error(s); nothing was run";
        tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), file.toUri(), () -> {
          throw new AssertionError(message);
        }));
        continue;
      }
      for (Dialogue d : loaded) {
        tests.addAll(runs(d, options, engine, " (" + file.getFileName() + ")"));
      }
    }
    return tests.stream().onClose(engine::close);
  }

  /**
   * One test per run of dialogues built in Java ({@link dev.promptly.api.DialogueBuilder}) or
   * loaded by other means.
   *
   * @param dialogues the dialogues
   * @param options default timeout, variables, grace period
   * @return the tests, for a {@code @TestFactory}
   */
  public static Stream<DynamicTest> dialogues(List<Dialogue> dialogues, RunOptions options) {
    Engine engine = new Engine();
    List<DynamicTest> tests = new ArrayList<>();
    for (Dialogue d : dialogues) {
      tests.addAll(runs(d, options, engine, ""));
    }
    return tests.stream().onClose(engine::close);
  }

  private static List<DynamicTest> runs(Dialogue d, RunOptions options, Engine engine,
                                        String suffix) {
    List<DynamicTest> tests = new ArrayList<>();
    java.net.URI source = Files.exists(d.file()) ? d.file().toUri() : null;
    for (String run : Promptly.runNames(d, options)) {
      tests.add(DynamicTest.dynamicTest(run + suffix, source, () -> {
        RunResult r = engine.get().run(d, run, options)
            .toCompletionStage().toCompletableFuture().join();
        if (!r.passed()) {
          throw new AssertionError(r.name() + " failed (" + r.exit().map(Exit::toString)
              .orElse("not started") + ")\n" + r.failure());
        }
      }));
    }
    return tests;
  }

  /** One engine for all the tests of a stream, started by the first that runs. */
  private static final class Engine {
    private Promptly promptly;

    synchronized Promptly get() {
      if (promptly == null) {
        promptly = Promptly.create();
      }
      return promptly;
    }

    synchronized void close() {
      if (promptly != null) {
        try {
          promptly.close().await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IllegalStateException("promptly did not close within 30 s", e);
        } finally {
          promptly = null;
        }
      }
    }
  }
}
