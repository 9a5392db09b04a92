package dev.promptly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.TestRuns;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging stays off the start-up path of the command line (issue 20): a run without {@code -v}
 * never starts Logback, yet a warning still reaches stderr in the command's format ({@code -v}:
 * LoggingTest). Each case is a fresh JVM on promptly's class path without the test resources (no
 * logback-test.xml), as the command line is.
 */
class DeferredLoggingTest {
  @TempDir
  Path dir;

  record Ran(int code, String out, String classes) {
  }

  /** {@code java -cp <promptly's class path>[:extra] MAIN ARGS...}, noting the classes loaded. */
  private Ran java(Path extra, String main, String... args) throws Exception {
    Path classes = dir.resolve("classes-" + System.nanoTime() + ".txt");
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    if (extra != null) {
      classPath += File.pathSeparator + extra;
    }
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xlog:class+load=info:file=" + classes, "-cp", classPath, main));
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
    Ran r = java(null, Main.class.getName(), "run", "-q", file.toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("1 passed").doesNotContain("SLF4J");
    assertThat(r.classes()).contains(Logging.QuietProvider.class.getName())
        .doesNotContain("ch.qos.logback");
  }

  @Test
  void aWarningStartsLogbackAndReachesStderr() throws Exception {
    // WarnOnce alone on the class path beside promptly's (no test resources).
    String own = WarnOnce.class.getName().replace('.', '/') + ".class";
    Path extra = dir.resolve("extra");
    Files.createDirectories(extra.resolve(own).getParent());
    try (var in = WarnOnce.class.getClassLoader().getResourceAsStream(own)) {
      Files.copy(in, extra.resolve(own));
    }
    Ran r = java(extra, WarnOnce.class.getName());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("before: started=false debug=false warn=true")
        .containsPattern(" *\\d+ WARN  promptly.test - something to say: 42")
        .doesNotContain("not for a quiet run")
        .contains("after: started=true")
        .doesNotContain("SLF4J");
  }

  /** A fresh JVM set up as cli.Main sets it up, logging once at DEBUG and once at WARN. */
  static final class WarnOnce {
    public static void main(String[] args) {
      Logging.quiet();
      Logger log = LoggerFactory.getLogger("promptly.test");
      System.out.println("before: started=" + Logging.QuietProvider.isStarted() + " debug="
          + log.isDebugEnabled() + " warn=" + log.isWarnEnabled());
      log.debug("not for a quiet run");
      log.warn("something to say: {}", 42);
      System.err.flush();
      System.out.println("after: started=" + Logging.QuietProvider.isStarted());
    }
  }
}
