package dev.promptly.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.Engine;
import dev.promptly.api.RunOptions;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many children at once: the bound holds, and nothing grows with the number of runs. */
class ManyRunsTest {
  @TempDir
  Path dir;

  private List<RunResult> run(Engine engine, String yaml, RunOptions options,
                              RunObserver observer) throws Exception {
    LoadResult loaded = DialogueLoader.load(TestRuns.write(dir, "many", yaml), Map.of());
    assertThat(loaded.problems()).isEmpty();
    return engine.run(loaded.dialogues(), TestRuns.settings(options), observer)
        .toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
  }

  private static String matrix(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(Integer::toString)
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static String shortDialogue(int n) {
    return """
        name: short
        matrix: {i: %s}
        command: [sh, -c, "printf 'ready> '; read x; echo \\"got $x\\""]
        steps:
          - expect: "ready> "
            sendline: "${i}"
          - expect: "got ${i}"
          - expect: eof
        """.formatted(matrix(n));
  }

  @Test
  void thousandShortRunsUnderTwoHundredJobsLeakNothing() throws Exception {
    try (Engine engine = Engine.create()) {
      RunOptions options = new RunOptions().setJobs(200);
      // Warm up: Vert.x threads, the I/O thread and class loading happen once.
      assertThat(run(engine, shortDialogue(200), options, RunObserver.NONE))
          .allMatch(RunResult::passed);
      Leaks before = Leaks.now();
      long heapAfter200 = usedHeapAfterGc();

      List<RunResult> results = run(engine, shortDialogue(1000), options, RunObserver.NONE);
      assertThat(results).hasSize(1000);
      assertThat(results).allSatisfy(r -> assertThat(r.passed()).as(r.failure()).isTrue());
      assertThat(results.get(999).name()).isEqualTo("short[i=1000]");

      Leaks after = Leaks.settledAt(before.fds());
      assertThat(after.fds()).as("open file descriptors").isLessThanOrEqualTo(before.fds());
      assertThat(after.children()).as("child processes").isZero();
      assertThat(after.threads()).as("threads").isLessThanOrEqualTo(before.threads());
      long heapAfter1000 = usedHeapAfterGc();
      // Five times the runs must not cost five times the heap: allow noise, not growth.
      assertThat(heapAfter1000).as("heap after 1000 runs vs after 200")
          .isLessThan(heapAfter200 + 24L * 1024 * 1024);
    }
  }

  @Test
  void theBoundHolds() throws Exception {
    AtomicInteger live = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    RunObserver counter = new RunObserver() {
      @Override
      public void started(dev.promptly.report.RunInfo run) {
        most.accumulateAndGet(live.incrementAndGet(), Math::max);
      }

      @Override
      public void finished(RunResult result) {
        live.decrementAndGet();
      }
    };
    long t0 = System.nanoTime();
    List<RunResult> results;
    try (Engine engine = Engine.create()) {
      results = run(engine, """
          name: sleeper
          matrix: {i: %s}
          command: [sleep, "1"]
          steps:
            - expect: eof
          """.formatted(matrix(20)), new RunOptions().setJobs(5), counter);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(results).hasSize(20).allMatch(RunResult::passed);
    assertThat(most.get()).as("most children alive at once").isEqualTo(5);
    // 20 one-second children, five at a time: four rounds.
    assertThat(took).isBetween(Duration.ofMillis(3900), Duration.ofSeconds(12));
  }

  @Test
  void failFastStopsTheRestAndStartsNoMore() throws Exception {
    long t0 = System.nanoTime();
    List<RunResult> results;
    try (Engine engine = Engine.create()) {
      results = run(engine, """
          name: ff
          matrix: {i: %s}
          command: [sh, -c, "if [ ${i} = 1 ]; then exit 7; fi; sleep 30"]
          steps:
            - expect: eof
          """.formatted(matrix(10)),
          new RunOptions().setJobs(3).setFailFast(true).setGrace(Duration.ofMillis(500)),
          RunObserver.NONE);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took).isLessThan(Duration.ofSeconds(20));
    assertThat(results).hasSizeLessThan(10).noneMatch(RunResult::passed);
    assertThat(results.get(0).failure()).contains("exited with status 7");
    assertThat(results.subList(1, results.size()))
        .allSatisfy(r -> assertThat(r.failure()).contains("--fail-fast").contains("ff[i=1]"));
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return mem.getHeapMemoryUsage().getUsed();
  }

  /** Open fds, live child processes and threads of this JVM. */
  record Leaks(int fds, long children, int threads) {
    static Leaks now() throws InterruptedException {
      return settledAt(Integer.MAX_VALUE);
    }

    /** Waits (bounded) until no child is left and at most {@code fds} fds are open. */
    static Leaks settledAt(int fds) throws InterruptedException {
      // Reaping and fd closing finish on the I/O thread just after the futures complete.
      Leaks l = measure();
      for (int i = 0; i < 100 && (l.children() > 0 || l.fds() > fds); i++) {
        Thread.sleep(20);
        l = measure();
      }
      return l;
    }

    static Leaks measure() {
      String[] fds = new File("/proc/self/fd").list();
      long children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
      return new Leaks(fds == null ? -1 : fds.length, children, Thread.activeCount());
    }
  }
}
