package dev.promptly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.TestRuns;
import dev.promptly.report.DeferredLogging;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging stays off the start-up path of the command line (issue 20): a run without {@code -v}
 * never starts Logback, yet warnings still reach stderr, and {@code -v} still logs the engine's
 * events. Each case is a fresh JVM, as the command line is.
 */
class DeferredLoggingTest {
  @TempDir
  Path dir;

  record Ran(int code, String out, String classes) {
  }

  /** {@code java -cp <test class path> MAIN ARGS...}, recording which classes were loaded. */
  private Ran java(String main, String... args) throws Exception {
    Path classes = dir.resolve("classes-" + System.nanoTime() + ".txt");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xlog:class+load=info:file=" + classes,
        "-cp", System.getProperty("java.class.path"), main));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Ran(p.exitValue(), out, Files.readString(classes));
  }

  @Test
  void aQuietRunNeverStartsLogback() throws Exception {
    Path file = TestRuns.write(dir, "hello", """
        name: hello
        command: [sh, -c, "echo ready"]
        steps:
          - expect: ready
        exit: 0
        """);
    Ran r = java(Main.class.getName(), "run", "-q", file.toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("1 passed").doesNotContain("SLF4J");
    assertThat(r.classes()).contains("dev.promptly.report.DeferredLogging")
        .doesNotContain("ch.qos.logback");
  }

  @Test
  void verboseStillLogsTheEngineEvents() throws Exception {
    Path file = TestRuns.write(dir, "hello", """
        name: hello
        command: [sh, -c, "echo ready"]
        steps:
          - expect: ready
        exit: 0
        """);
    Ran r = java(Main.class.getName(), "run", "-v", file.toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("DEBUG").contains("spawn pid").contains("step 1 matched")
        .doesNotContain("SLF4J");
  }

  @Test
  void aWarningStartsLogbackAndReachesStderr() throws Exception {
    Ran r = java(WarnOnce.class.getName());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("before: started=false debug=false warn=true")
        .contains("WARN  promptly.test - something to say: 42")
        .doesNotContain("not for a quiet run")
        .contains("after: started=true")
        .doesNotContain("SLF4J");
  }

  /** A fresh JVM set up as cli.Main sets it up, logging once at DEBUG and once at WARN. */
  static final class WarnOnce {
    public static void main(String[] args) {
      Logging.deferUntilNeeded();
      Logger log = LoggerFactory.getLogger("promptly.test");
      System.out.println("before: started=" + DeferredLogging.isStarted() + " debug="
          + log.isDebugEnabled() + " warn=" + log.isWarnEnabled());
      log.debug("not for a quiet run");
      log.warn("something to say: {}", 42);
      System.err.flush();
      System.out.println("after: started=" + DeferredLogging.isStarted());
    }
  }
}
