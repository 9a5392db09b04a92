package dev.promptly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.TestRuns;
import java.io.File;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library configures no logging; the command line applies its quiet default itself at start
 * (issue 15): warnings and errors to stderr as {@code %6relative %-5level %logger{20} - %msg},
 * engine events with {@code -v}, and a user's own Logback configuration wins. The command runs
 * as its own JVM on promptly's class path without the test resources (no logback-test.xml).
 */
class LoggingTest {
  private static final String SERVICE = "META-INF/services/ch.qos.logback.classic.spi.Configurator";

  @TempDir
  Path dir;

  record Ran(int code, String out, String err) {
  }

  @Test
  void theLibraryCarriesNoLogbackConfigurator() throws Exception {
    List<URL> services = Collections.list(getClass().getClassLoader().getResources(SERVICE));
    assertThat(services).as("a Configurator service sets the root logger of every host").isEmpty();
    assertThat(Path.of("target/classes").resolve(SERVICE)).doesNotExist();
  }

  @Test
  void theCommandLogsOnlyWarningsToStderrAndEngineEventsWithVerbose() throws Exception {
    Path file = hello();
    Ran quiet = promptly(List.of(), "run", file.toString());
    assertThat(quiet.code()).as(quiet.err()).isZero();
    assertThat(quiet.out() + quiet.err()).contains("1 passed").doesNotContain("DEBUG")
        .doesNotContain("INFO").doesNotContain("logback");

    Ran verbose = promptly(List.of(), "run", "-v", file.toString());
    assertThat(verbose.code()).as(verbose.err()).isZero();
    assertThat(verbose.out()).doesNotContain("DEBUG");
    assertThat(verbose.err().lines())
        .anyMatch(l -> l.matches(" *\\d+ DEBUG promptly.engine - \\[hello\\] spawn pid \\d+.*"))
        .noneMatch(l -> l.matches(" *\\d+ (INFO|TRACE) .*"));
  }

  @Test
  void aLogbackConfigurationOfTheUserWins() throws Exception {
    Path xml = Files.writeString(dir.resolve("mine.xml"), """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>MINE %level %logger - %msg%n</pattern></encoder>
          </appender>
          <root level="DEBUG"><appender-ref ref="OUT"/></root>
        </configuration>
        """);
    Ran r = promptly(List.of("-Dlogback.configurationFile=" + xml), "run", hello().toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("MINE DEBUG promptly.engine - [hello] spawn pid");
  }

  private Path hello() throws Exception {
    return TestRuns.write(dir, "hello", """
        name: hello
        command: [sh, -c, "echo hello"]
        steps:
          - expect: hello
        """);
  }

  /** promptly's main class in a JVM of its own, on the class path of the jar and its deps. */
  private static Ran promptly(List<String> jvm, String... args) throws Exception {
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath));
    command.addAll(jvm);
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p, true));
    String out = read(p, false);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Ran(p.exitValue(), out, err.get(1, TimeUnit.MINUTES));
  }

  private static String read(Process p, boolean err) {
    try {
      return new String((err ? p.getErrorStream() : p.getInputStream()).readAllBytes(),
          StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
