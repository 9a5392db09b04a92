package dev.promptly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.TestRuns;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SIGINT or SIGTERM to promptly: children terminated and reaped, exit 130 or 143. */
class InterruptTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @CsvSource({"INT, 130", "TERM, 143"})
  void aSignalStopsEveryChildAndExitsWithItsCode(String signal, int code) throws Exception {
    Path file = TestRuns.write(dir, "sleepers", """
        name: sleeper
        matrix: {i: [1, 2, 3]}
        command: [sh, -c, "echo pid=$$; exec sleep 600"]
        steps:
          - expect: {regex: 'pid=\\d+'}
          - expect: eof
            timeout: 10m
        """);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "dev.promptly.cli.Main", "run", "-j", "3", "--grace", "1s", file.toString())
        .redirectErrorStream(true).start();
    List<Long> pids = new ArrayList<>();
    StringBuilder all = new StringBuilder();
    BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    Pattern pid = Pattern.compile("pid=(\\d+)");
    CompletableFuture<Void> threeStarted = CompletableFuture.runAsync(() -> {
      try {
        String line;
        while (pids.size() < 3 && (line = r.readLine()) != null) {
          all.append(line).append('\n');
          Matcher m = pid.matcher(line);
          if (m.find()) {
            pids.add(Long.parseLong(m.group(1)));
          }
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    threeStarted.get(60, TimeUnit.SECONDS);
    assertThat(pids).hasSize(3);
    new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("promptly exits").isTrue();
    String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(all + rest).isEqualTo(code);
    assertThat(rest).contains("interrupted: promptly received SIG" + signal)
        .contains("0 passed, 3 failed");
    for (long child : pids) {
      assertThat(TestRuns.stillAliveAfter(child, 5000)).as("child %d", child).isFalse();
    }
    assertThat(Files.exists(dir)).isTrue();
  }
}
