package dev.promptly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.Engine;
import dev.promptly.engine.TestRuns;
import dev.promptly.api.RunOptions;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hundreds of runs over pipes and on ptys, passing and timed out, leave no open fd, no process
 * and no thread behind: everything is back to what it was before the engine was made.
 */
class LeakTest {
  private static final int RUNS = 200;
  private static final int TIMEOUTS = 10;

  @TempDir
  Path dir;

  @Test
  void manyRunsLeaveNoFdProcessOrThread() throws Exception {
    Path file = dir.resolve("many.yaml");
    String numbers = IntStream.rangeClosed(1, RUNS).mapToObj(Integer::toString)
        .collect(Collectors.joining(", ", "[", "]"));
    String timeouts = IntStream.rangeClosed(1, TIMEOUTS).mapToObj(Integer::toString)
        .collect(Collectors.joining(", ", "[", "]"));
    Files.writeString(file, """
        dialogues:
          - name: pipe
            command: [cat]
            matrix: {n: %1$s}
            steps:
              - sendline: "line ${n}"
              - expect: "line ${n}\\n"
              - close: stdin
              - expect: eof
          - name: pty
            command: [cat]
            pty: true
            echo: false
            matrix: {n: %1$s}
            steps:
              - sendline: "line ${n}"
              - expect: "line ${n}\\n"
              - close: stdin
              - expect: eof
          - name: pipe-timeout
            command: [sh, -c, "sleep 1000 & echo pid=$!; sleep 1000"]
            matrix: {n: %2$s}
            steps:
              - expect: {regex: 'pid=(?<pid>\\d+)\\n'}
              - expect: never
                timeout: 100ms
          - name: pty-timeout
            command: [sh, -i]
            pty: true
            env: {PS1: "$ ", ENV: ""}
            matrix: {n: %2$s}
            steps:
              - expect: "$ "
                sendline: "sleep 1000 & echo pid=$!; sleep 1000"
              - expect: {regex: 'pid=(?<pid>\\d+)\\n'}
              - expect: never
                timeout: 100ms
        """.formatted(numbers, timeouts));
    RunOptions options = new RunOptions().setGrace(Duration.ofMillis(200));

    // Once before measuring: libraries and class loading are one-offs.
    runAll(file, options);
    awaitTrue(() -> descendants().isEmpty(), 10_000);
    int threads = threadCount();
    long fds = openFds();

    List<RunResult> results = runAll(file, options);
    assertThat(results).hasSize(2 * RUNS + 2 * TIMEOUTS);
    assertThat(results.stream().filter(r -> r.name().startsWith("pipe[")
        || r.name().startsWith("pty[")).filter(r -> !r.passed()).map(RunResult::failure))
        .isEmpty();
    assertThat(results.stream().filter(r -> r.name().contains("-timeout"))
        .filter(RunResult::passed)).isEmpty();

    // The engine's Vert.x is closed: its threads wind down; wait for that, with a limit.
    awaitTrue(() -> threadCount() <= threads && descendants().isEmpty(), 10_000);
    assertThat(descendants()).as("processes left").isEmpty();
    assertThat(threadCount()).as("threads: %s", threadNames()).isLessThanOrEqualTo(threads);
    assertThat(openFds()).as("open fds").isEqualTo(fds);
    // The engine's own Vert.x reads children on its event loops; the shared I/O thread (started by
    // other tests' NIO instances, or not at all) is never more than one.
    assertThat(Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("promptly-io"))).hasSizeLessThanOrEqualTo(1);
    // A timeout ends every process of the child's session: the background jobs too (on a pty,
    // in process groups of their own). They were not our children, so check them by pid.
    List<Long> jobs = results.stream().filter(r -> r.name().contains("-timeout"))
        .map(r -> Long.parseLong(r.steps().get(r.steps().size() - 2).captures().get("pid")))
        .toList();
    assertThat(jobs).hasSize(2 * TIMEOUTS);
    awaitTrue(() -> jobs.stream().noneMatch(LeakTest::alive), 10_000);
    assertThat(jobs.stream().filter(LeakTest::alive)).as("background jobs left").isEmpty();
  }

  private static List<RunResult> runAll(Path file, RunOptions options) throws Exception {
    LoadResult loaded = DialogueLoader.load(file, Map.of());
    assertThat(loaded.problems()).isEmpty();
    try (Engine engine = Engine.create()) {
      return engine.run(loaded.dialogues(), TestRuns.settings(options), RunObserver.NONE)
          .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }
  }

  /** Running, or stopped; a zombie is as good as gone. */
  private static boolean alive(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
          .noneMatch(l -> l.startsWith("State:") && l.contains("Z"));
    } catch (IOException e) {
      return false;
    }
  }

  private static List<ProcessHandle> descendants() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
  }

  private static int threadCount() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList();
  }

  private static long openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  private static void awaitTrue(BooleanSupplier condition, long millis)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!condition.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(20);
    }
  }
}
