package dev.promptly.engine;

import static dev.promptly.engine.TestRuns.CHILDREN;
import static dev.promptly.engine.TestRuns.runOne;
import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.api.RunOptions;
import dev.promptly.report.RunResult;
import dev.promptly.report.StepResult;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine against real children over pipes. */
class DialogueRunTest {
  @TempDir
  Path dir;

  @Test
  void promptAnswerAndCapture() {
    RunResult r = runOne(dir, """
        command: [python3, -c, "n = input('Введите имя'); print(f'Вы ввели имя {n}')"]
        vars: {user: Zoot}
        steps:
          - expect: "Введите имя"
            sendline: "${user}"
          - expect: {regex: 'Вы ввели имя (?<who>\\w+)'}
          - expect: eof
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.exitCode()).isZero();
    assertThat(r.steps().get(1).captures()).containsEntry("who", "Zoot");
  }

  @Test
  void floodBeforePromptDoesNotDeadlock() {
    // The notes' listing 13_4: far more output than a pipe holds, before the prompt.
    RunResult r = runOne(dir, """
        command: [python3, %s, "1000000"]
        timeout: 60s
        steps:
          - expect: "DONE> "
            sendline: go
          - expect: "bye go"
          - expect: eof
        """.formatted(Path.of("dsl-examples/children/flood.py").toAbsolutePath()));
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.bytesRead()).isGreaterThan(5_000_000L);
  }

  @Test
  void stderrFloodWhileWaitingOnStdoutDoesNotDeadlock() {
    RunResult r = runOne(dir, """
        command: [python3, %s]
        timeout: 60s
        steps:
          - expect: "ready> "
            sendline: x
          - expect: "got x"
        """.formatted(CHILDREN.resolve("stderr_flood.py")));
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.bytesRead()).isGreaterThan(10_000_000L);
  }

  @Test
  void bigInputWhileChildEchoesItDoesNotDeadlock() {
    // communicate()'s case: cat echoes 8 MB while we are still writing it.
    String big = "x".repeat(8 * 1024 * 1024);
    RunResult r = runOne(dir, """
        command: [sh, -c, "cat; echo END"]
        timeout: 60s
        steps:
          - send: "${big}"
          - close: stdin
          - expect: END
          - expect: eof
        """, new RunOptions().putVar("big", big));
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.bytesWritten()).isEqualTo(big.length());
    assertThat(r.bytesRead()).isEqualTo(big.length() + 4);
  }

  @Test
  void severalPromptsInOneReadAreEachMatched() {
    RunResult r = runOne(dir, """
        command: [python3, %s]
        steps:
          - expect: "first> "
          - expect: "second> "
          - expect: "third> "
            sendline: done
          - expect: eof
        """.formatted(CHILDREN.resolve("prompts.py")));
    assertThat(r.passed()).as(r.failure()).isTrue();
  }

  @Test
  void earliestMatchWinsWhateverTheOrder() {
    RunResult r = runOne(dir, """
        command: [printf, "aaa password: bbb (yes/no)? "]
        steps:
          - expect:
              - match: {regex: '\\(yes/no\\)\\?'}
                fail: "the later match won"
              - match: "password:"
          - expect: "(yes/no)?"
          - expect: eof
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.steps().get(0).branch()).isEqualTo("\"password:\"");
  }

  @Test
  void againRepeatsTheStepWithAFreshMatch() {
    RunResult r = runOne(dir, """
        command: [sh, -c, "for i in 1 2 3; do printf 'more? '; read x; done; echo finished"]
        steps:
          - expect:
              - match: "more? "
                sendline: y
                again: true
              - match: finished
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.steps().get(0).passes()).isEqualTo(4);
    assertThat(r.bytesWritten()).isEqualTo(6);
  }

  @Test
  void timeoutFailsAndKillsTheGrandchild() throws Exception {
    RunResult r = runOne(dir, """
        command: [sh, -c, "sleep 1000 & echo pid=$!; wait"]
        steps:
          - expect: {regex: 'pid=(?<pid>\\d+)'}
          - expect: "never printed"
            timeout: 300ms
        """, new RunOptions().setGrace(Duration.ofMillis(500)));
    assertThat(r.passed()).isFalse();
    assertThat(r.failure())
        .contains("step 2 (")
        .contains("dialogue.yaml:4:5")
        .contains("timed out after")
        .contains("\"never printed\"")
        .contains("pid=");
    long pid = Long.parseLong(r.steps().get(0).captures().get("pid"));
    assertThat(TestRuns.stillAliveAfter(pid, 5000)).as("grandchild %d still alive", pid).isFalse();
  }

  @Test
  void everyPassOfAPromptLoopHasItsOwnTimeLimit() {
    // The loop as a whole outlasts the limit; no single wait comes near it. The expects of a
    // loop share one timer (Conversation.armTimer): it must measure each pass from its start.
    RunResult r = runOne(dir, """
        command: [sh, -c, "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 0.1; printf '> '; done; echo bye"]
        steps:
          - expect:
              - match: "> "
                again: true
              - match: bye
            timeout: 1s
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.steps().get(0).passes()).isEqualTo(13);
    assertThat(r.elapsed()).isGreaterThan(Duration.ofMillis(1200));
  }

  @Test
  void aShortLimitAfterALongOneIsKept() {
    // The first step's 10 min timer is the conversation's one timer; the second step's 300 ms
    // limit falls before it and must be waited for on its own.
    RunResult r = runOne(dir, """
        command: [sh, -c, "echo ready; exec sleep 600"]
        steps:
          - expect: ready
            timeout: 10m
          - expect: "never printed"
            timeout: 300ms
        """, new RunOptions().setGrace(Duration.ofMillis(500)));
    assertThat(r.passed()).isFalse();
    assertThat(r.failure()).contains("step 2 (").contains("timed out after");
    assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void eofWhileWaitingForTextFailsAtOnce() {
    RunResult r = runOne(dir, """
        command: [echo, hello]
        steps:
          - expect: "goodbye"
            timeout: 30s
        """);
    assertThat(r.passed()).isFalse();
    assertThat(r.failure()).contains("output ended").contains("\"goodbye\"").contains("hello");
    assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void exitStatusIsAsserted() {
    RunResult ok = runOne(dir, """
        command: [sh, -c, "exit 3"]
        exit: 3
        steps: []
        """);
    assertThat(ok.passed()).as(ok.failure()).isTrue();
    assertThat(ok.exitCode()).isEqualTo(3);

    RunResult bad = runOne(dir, """
        command: [sh, -c, "exit 3"]
        steps: []
        """);
    assertThat(bad.passed()).isFalse();
    assertThat(bad.failure()).contains("exited with status 3 (expected 0)");
  }

  @Test
  void deathBySignalIsNamed() {
    RunResult r = runOne(dir, """
        command: [sh, -c, "kill -ALRM $$"]
        steps: []
        """);
    assertThat(r.passed()).isFalse();
    assertThat(r.signal()).isEqualTo("SIGALRM");
    assertThat(r.failure()).contains("killed by SIGALRM");
  }

  @Test
  void missingProgramIsAFailedRunWithAClearMessage() {
    RunResult r = runOne(dir, """
        command: [no-such-program-promptly]
        steps:
          - expect: eof
        """);
    assertThat(r.passed()).isFalse();
    assertThat(r.failure()).contains("no-such-program-promptly").contains("not found")
        .doesNotContain("Exception");
  }

  @Test
  void stepResultsTellWhatMatched() {
    RunResult r = runOne(dir, """
        command: [sh, -c, "printf 'a=1\\n'; printf 'b=2\\n'"]
        steps:
          - expect: {regex: 'b=(?<b>\\d)'}
          - expect: eof
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
    StepResult s = r.steps().get(0);
    assertThat(s.matched()).isEqualTo("b=2");
    assertThat(s.offset()).isEqualTo(4);
    assertThat(s.line()).isEqualTo(3);
  }
}
