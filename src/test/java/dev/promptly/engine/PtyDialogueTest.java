package dev.promptly.engine;

import static dev.promptly.engine.TestRuns.runOne;
import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.api.RunOptions;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The engine against real children on a pseudo-terminal. */
class PtyDialogueTest {
  @TempDir
  Path dir;

  @Test
  void theDefaultWindowIsWideSoLongLinesDoNotWrap() {
    RunResult r = runOne(dir, """
        command: [stty, size]
        pty: true
        steps:
          - expect: "24 500\\n"
          - expect: eof
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
  }

  @Test
  void aLongLineTypedIntoReadlineIsEchoedUnwrapped() {
    // pexpect #225: on an 80-column terminal a line editor breaks a long echoed line with
    // "\r" and cursor moves, and a pattern spanning it no longer matches.
    String arg = "x".repeat(300);
    RunResult r = runOne(dir, """
        command: [python3, -q]
        pty: true
        steps:
          - expect: ">>> "
            sendline: "len('%s')"
          - expect: "len('%s')\\n300\\n>>> "
            send: "\\x04"
          - expect: eof
        """.formatted(arg, arg));
    assertThat(r.passed()).as(r.failure()).isTrue();
  }

  @Test
  void sizeAndIsattyAreWhatTheDialogueSays() {
    RunResult r = runOne(dir, """
        command: [python3, -c, "import os; s = os.get_terminal_size(0); print(os.isatty(0), s.lines, s.columns)"]
        pty: true
        size: 50x200
        steps:
          - expect: "True 50 200\\n"
          - expect: eof
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
  }

  @Test
  void crLfIsMatchedAsLfWhileTheOutputKeepsIt() {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    RunObserver observer = new RunObserver() {
      @Override
      public synchronized void output(String run, byte[] bytes, String text) {
        raw.writeBytes(bytes);
      }
    };
    Path file = TestRuns.write(dir, "crlf", """
        command: [printf, "one\\ntwo\\nthree\\r\\n"]
        pty: true
        steps:
          - expect: "one\\ntwo\\n"
          - expect: {regex: 't(?<rest>[^\\n]*)\\n'}
          - expect: eof
        """);
    RunResult r = TestRuns.run(file, new RunOptions(), observer).get(0);
    assertThat(r.passed()).as(r.failure()).isTrue();
    // Offsets count the normalised text: "one\n" is 4 chars, not 5.
    assertThat(r.steps().get(0).offset()).isZero();
    assertThat(r.steps().get(1).offset()).isEqualTo(8);
    // A program's own "\r\n" is given back as it wrote it: the regex stops before the '\r'.
    assertThat(r.steps().get(1).captures()).containsEntry("rest", "hree\r");
    synchronized (observer) {
      assertThat(raw.toString(StandardCharsets.UTF_8)).isEqualTo("one\r\ntwo\r\nthree\r\r\n");
    }
  }

  @Test
  void crlfKeepMatchesWhatTheTerminalSends() {
    RunResult r = runOne(dir, """
        command: [printf, "one\\ntwo\\n"]
        pty: true
        crlf: keep
        steps:
          - expect: "one\\r\\ntwo\\r\\n"
          - expect: eof
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
  }

  @Test
  void withEchoOnWhatIsSentComesBackAndIsMatchable() {
    RunResult on = runOne(dir, """
        command: [sh, -c, "read x; echo got $x"]
        pty: true
        steps:
          - sendline: hello
          - expect: "hello\\n"
          - expect: "got hello\\n"
          - expect: eof
        """);
    assertThat(on.passed()).as(on.failure()).isTrue();
    assertThat(on.steps().get(1).offset()).isZero();
    assertThat(on.steps().get(2).offset()).isEqualTo(6);

    RunResult off = runOne(dir, """
        command: [sh, -c, "read x; echo got $x"]
        pty: true
        echo: false
        steps:
          - sendline: hello
          - expect: "hello\\n"
          - expect: eof
        """);
    assertThat(off.passed()).as(off.failure()).isTrue();
    // Only the program's own line: "got " comes first.
    assertThat(off.steps().get(1).offset()).isEqualTo(4);
  }

  @Test
  void closeStdinSendsTheTerminalsEndOfFile() {
    RunResult r = runOne(dir, """
        command: [sh, -c, "cat; echo cat ended"]
        pty: true
        echo: false
        steps:
          - send: "partial line, no newline"
          - close: stdin
          - expect: "partial line, no newlinecat ended\\n"
          - expect: eof
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
  }

  @Test
  void controlDByEscapeEndsInput() {
    RunResult r = runOne(dir, """
        command: [sh, -c, "cat; echo cat ended"]
        pty: true
        steps:
          - sendline: "a line"
          - expect: "a line\\na line\\n"
          - send: "\\x04"
          - expect: "cat ended\\n"
          - expect: eof
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
  }

  @Test
  void controlCInterruptsTheForegroundProgram() {
    RunResult r = runOne(dir, """
        command: [python3, -c, "import time\\ntry:\\n  print('ready', flush=True)\\n  time.sleep(100)\\nexcept KeyboardInterrupt:\\n  print('interrupted')"]
        pty: true
        timeout: 5s
        steps:
          - expect: "ready\\n"
          - send: "\\x03"
          - expect: "^Cinterrupted\\n"   # the terminal echoes ^C as ^C
          - expect: eof
        exit: 0
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
  }

  @Test
  void aTimeoutEndsEveryProcessOfTheSessionEvenInOtherGroups() throws Exception {
    // An interactive shell with job control puts a background job in a process group of its own.
    RunResult r = runOne(dir, """
        command: [sh, -i]
        pty: true
        env: {PS1: "$ ", ENV: ""}
        steps:
          - expect: "$ "
            sendline: "sleep 1000 & echo pid=$!"
          - expect: {regex: 'pid=(?<pid>\\d+)\\n'}
          - expect: "never printed"
            timeout: 300ms
        """, new RunOptions().setGrace(Duration.ofMillis(300)));
    assertThat(r.passed()).isFalse();
    assertThat(r.failure()).contains("timed out after").contains("\"never printed\"");
    long pid = Long.parseLong(r.steps().get(1).captures().get("pid"));
    assertThat(TestRuns.stillAliveAfter(pid, 5000)).as("background job %d", pid).isFalse();
  }

  /** The same dialogue, written for pipes, passes over pipes and on a pty. */
  @ParameterizedTest(name = "pty: {0}")
  @ValueSource(booleans = {false, true})
  void aPipeDialogueWorksOnAPty(boolean pty) throws Exception {
    String example = Files.readString(Path.of("dsl-examples/echo-loop.yaml"));
    assertThat(example).doesNotContain("pty:");
    Files.createDirectories(dir.resolve("children"));
    Files.copy(Path.of("dsl-examples/children/echo_loop.py"),
        dir.resolve("children/echo_loop.py"));
    Path file = TestRuns.write(dir, "echo-loop-" + pty, example + "pty: " + pty + "\n");
    List<RunResult> results = TestRuns.run(file, new RunOptions());
    assertThat(results).singleElement().satisfies(r ->
        assertThat(r.passed()).as(r.failure()).isTrue());
  }
}
