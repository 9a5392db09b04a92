package dev.promptly.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.TestRuns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signals to a real promptly process: no child is left behind whatever ends it (issue 13).
 * Each test starts {@code promptly run} in a JVM of its own, waits until its children said their
 * pids, signals it and checks every child is gone.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SignalsTest {
  private static final Pattern PID = Pattern.compile("pid=(\\d+)");

  @TempDir
  Path dir;
  private Process promptly;
  private final List<Long> pids = new CopyOnWriteArrayList<>();
  private final StringBuffer seen = new StringBuffer();

  @AfterEach
  void killWhatIsLeft() throws Exception {
    if (promptly != null) {
      promptly.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** Starts promptly with {@code args} and waits until {@code children} pids were printed. */
  private void start(int children, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.promptly.cli.Main"));
    cmd.addAll(List.of(args));
    promptly = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader r = new BufferedReader(
        new InputStreamReader(promptly.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
      try {
        String line;
        while (pids.size() < children && (line = r.readLine()) != null) {
          seen.append(line).append('\n');
          Matcher m = PID.matcher(line);
          if (m.find()) {
            pids.add(Long.parseLong(m.group(1)));
          }
        }
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    started.get(60, TimeUnit.SECONDS);
    assertThat(pids).as(seen.toString()).hasSize(children);
  }

  private void signal(String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(promptly.pid())).start().waitFor();
  }

  private String rest() throws IOException {
    return seen + new String(promptly.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void sigHupStopsTwentyChildrenWritesTheReportAndExits129() throws Exception {
    Path file = TestRuns.write(dir, "sleepers", """
        name: sleeper
        matrix: {i: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]}
        command: [sh, -c, "echo pid=$$; exec sleep 600"]
        steps:
          - expect: {regex: 'pid=\\d+'}
          - expect: eof
            timeout: 10m
        """);
    Path junit = dir.resolve("junit.xml");
    start(20, "run", "-j", "20", "--grace", "1s", "--junit", junit.toString(), file.toString());
    signal("HUP");
    assertThat(promptly.waitFor(30, TimeUnit.SECONDS)).as("promptly exits").isTrue();
    String out = rest();
    assertThat(promptly.exitValue()).as(out).isEqualTo(129);
    assertThat(out).contains("interrupted: promptly received SIGHUP");
    for (long child : pids) {
      assertThat(TestRuns.stillAliveAfter(child, 5000)).as("child %d", child).isFalse();
    }
    assertThat(Files.readString(junit)).contains("tests=\"20\"");
  }

  /**
   * A child that ignores SIGTERM (an ignored signal stays ignored across exec): the second ^C
   * kills it without waiting the grace period.
   */
  @Test
  void aSecondInterruptKillsAtOnce() throws Exception {
    Path file = TestRuns.write(dir, "stubborn", """
        name: stubborn
        command: [sh, -c, "trap '' TERM; echo pid=$$; exec sleep 600"]
        steps:
          - expect: eof
            timeout: 10m
        """);
    start(1, "run", "--grace", "60s", file.toString());
    signal("INT");
    // The first ^C sends SIGTERM, which the child ignores: it is still there.
    assertThat(TestRuns.stillAliveAfter(pids.get(0), 1000)).isTrue();
    long t0 = System.nanoTime();
    signal("INT");
    assertThat(promptly.waitFor(20, TimeUnit.SECONDS)).as("promptly exits").isTrue();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(promptly.exitValue()).as(rest()).isEqualTo(130);
    assertThat(took).isLessThan(Duration.ofSeconds(15));
    assertThat(TestRuns.stillAliveAfter(pids.get(0), 5000)).isFalse();
  }

  /** A stopped child gets SIGCONT with SIGTERM, so its handler runs (as systemd does it). */
  @Test
  void aStoppedChildRunsItsTermHandler() throws Exception {
    Path marker = dir.resolve("term-handled");
    Path file = TestRuns.write(dir, "stopped", """
        name: stopped
        command: [sh, -c, "trap 'echo handled > %s; exit 0' TERM; echo pid=$$; kill -STOP $$; sleep 1"]
        steps:
          - expect: {regex: 'pid=\\d+'}
          - expect: never printed
            timeout: 1s
        """.formatted(marker));
    start(1, "run", "--grace", "5s", file.toString());
    assertThat(promptly.waitFor(30, TimeUnit.SECONDS)).as("promptly exits").isTrue();
    assertThat(promptly.exitValue()).as(rest()).isEqualTo(1);
    assertThat(marker).exists();
  }

  /**
   * promptly killed outright: its pty child still gets the terminal's hang-up, because nothing
   * else holds the master open, not even a child started after it.
   */
  @Test
  void aPtyChildGetsTheHangUpWhenPromptlyIsKilled() throws Exception {
    Path marker = dir.resolve("hung-up");
    Path file = TestRuns.write(dir, "pty", """
        dialogues:
          - name: on-a-pty
            pty: true
            command: [sh, -c, "echo pid=$$; exec python3 %s %s"]
            steps:
              - expect: ready
              - expect: eof
                timeout: 10m
          - name: later-pipe
            command: [sh, -c, "sleep 0.5; echo pid=$$; exec sleep 600"]
            steps:
              - expect: eof
                timeout: 10m
        """.formatted(TestRuns.CHILDREN.resolve("hup_marker.py"), marker));
    start(2, "run", "-j", "2", file.toString());
    signal("KILL");
    assertThat(promptly.waitFor(20, TimeUnit.SECONDS)).isTrue();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.exists(marker) && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(marker).as(seen.toString()).exists();
  }
}
