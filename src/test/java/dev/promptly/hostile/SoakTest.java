package dev.promptly.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.Engine;
import dev.promptly.api.RunOptions;
import dev.promptly.dsl.Dialogue;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.engine.TestRuns;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many short runs one after another in one JVM and one engine: file descriptors, threads and
 * heap stay flat. 2,000 runs by default (CI); 10,000 with {@code -Dpromptly.soak=full} or
 * {@code PROMPTLY_SOAK=full}; any number with {@code -Dpromptly.soak=N}.
 */
class SoakTest {
  static final int FULL = 10_000;
  static final int REDUCED = 2_000;
  static final int BASELINE_AT = 500;

  @TempDir
  Path dir;

  static int runs() {
    String v = System.getProperty("promptly.soak", System.getenv("PROMPTLY_SOAK"));
    if (v == null || v.isBlank()) {
      return REDUCED;
    }
    return v.equals("full") ? FULL : Integer.parseInt(v.strip());
  }

  @Test
  void shortRunsOneAfterAnotherLeaveNothingBehind() throws Exception {
    int runs = runs();
    LoadResult loaded = DialogueLoader.load(TestRuns.write(dir, "soak", """
        name: soak
        command: [sh, -c, "printf 'x> '; read a; echo \\"got $a\\""]
        timeout: 5s
        steps:
          - expect: "x> "
            sendline: "hello"
          - expect: "got hello"
          - expect: eof
        exit: 0
        """), Map.of());
    assertThat(loaded.problems()).isEmpty();
    List<Dialogue> dialogue = loaded.dialogues();
    RunOptions options = new RunOptions().setJobs(1).setGrace(Duration.ofMillis(300));
    Leftovers baseline = null;
    long heapBaseline = 0;
    long t0 = System.nanoTime();
    long tBaseline = 0;
    try (Engine engine = Engine.create()) {
      for (int i = 1; i <= runs; i++) {
        List<RunResult> results = engine.run(dialogue, TestRuns.settings(options), RunObserver.NONE)
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        RunResult r = results.get(0);
        if (!r.passed()) {
          throw new AssertionError("run " + i + " failed: " + r.failure());
        }
        if (i == BASELINE_AT) {
          // Every event loop thread has started by now, and the JIT has settled.
          baseline = Leftovers.settle(Leftovers.now(), 0);
          heapBaseline = usedHeapAfterGc();
          tBaseline = System.nanoTime();
        }
      }
      Leftovers end = Leftovers.settle(baseline, 3000);
      long heapEnd = usedHeapAfterGc();
      long tEnd = System.nanoTime();
      System.out.printf("soak: %d runs in %d ms (%.2f ms each after the first %d); fds %d -> %d,"
              + " threads %d -> %d, heap %d -> %d KiB%n", runs, (tEnd - t0) / 1_000_000,
          (tEnd - tBaseline) / 1e6 / (runs - BASELINE_AT), BASELINE_AT, baseline.fds(),
          end.fds(), baseline.threads(), end.threads(), heapBaseline / 1024, heapEnd / 1024);
      assertThat(end.fds()).as("open file descriptors").isLessThanOrEqualTo(baseline.fds());
      assertThat(end.children()).as("live child processes").isZero();
      assertThat(end.threads()).as("threads: %s", Leftovers.threadNames())
          .isLessThanOrEqualTo(baseline.threads());
      assertThat(heapEnd).as("heap after %d runs vs after %d", runs, BASELINE_AT)
          .isLessThan(heapBaseline + 4L * 1024 * 1024);
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
