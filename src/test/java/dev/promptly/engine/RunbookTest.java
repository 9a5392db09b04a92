package dev.promptly.engine;

import static dev.promptly.engine.TestRuns.runOne;
import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.api.RunOptions;
import dev.promptly.report.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The language of runbooks (issue 19) against real children: always, branch steps. */
class RunbookTest {
  @TempDir
  Path dir;

  @Test
  void anAlwaysBranchAnswersASudoPromptWhereverItShowsUpAndTheStepGoesOnWaiting() {
    // The password prompt comes in the middle of the second step's wait, then again in the
    // third: neither step mentions it.
    RunResult r = runOne(dir, """
        command: [sh, -c, "printf 'one> '; read a; printf '[sudo] password for me: '; read p; \\
          echo \\"pw=$p\\"; printf 'two> '; read b; printf '[sudo] password for me: '; read q; \\
          echo \\"done $a $b $q\\""]
        vars: {password: hunter22}
        secret: [password]
        always:
          - match: "[sudo] password for"
            sendline: "${password}"
        steps:
          - expect: "one> "
            sendline: x
          - expect: "two> "
            sendline: y
          - expect: {regex: 'done x y (?<last>\\S+)'}
          - expect: eof
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
    // The third step matched after the always branch answered once more; the capture is masked.
    assertThat(r.steps().get(2).captures()).containsEntry("last", "******");
    assertThat(r.steps().get(1).passes()).isEqualTo(2);
  }

  @Test
  void anAlwaysBranchWithFailEndsTheRunAtOnceWithItsText() {
    long t0 = System.nanoTime();
    RunResult r = runOne(dir, """
        command: [sh, -c, "echo 'ssh: Connection reset by peer'; sleep 30"]
        always:
          - match: Connection reset
            fail: "the connection was lost"
        steps:
          - expect: "never printed"
            timeout: 25s
        """);
    assertThat(r.passed()).isFalse();
    assertThat(r.failure()).contains("the connection was lost").contains("step 1");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void aBranchsStepsPlayWhenItMatchesThenTheDialogueGoesOn() {
    String script = "printf 'install? '; read a; if [ \"$a\" = y ]; then printf 'size? '; "
        + "read s; echo \"installed $s\"; else echo skipped; fi; echo end";
    RunResult r = runOne(dir, """
        command: [sh, -c, "%s"]
        steps:
          - expect:
              - match: "already installed"
              - match: "install? "
                sendline: y
                steps:
                  - expect: "size? "
                    sendline: "42"
                  - expect: {regex: 'installed (?<size>\\d+)'}
          - expect: "end"
          - expect: eof
        """.formatted(script.replace("\"", "\\\"")));
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.steps()).hasSize(3);
    assertThat(r.steps().get(0).branch()).isEqualTo("\"install? \"");
  }

  @Test
  void aFailureAmongABranchsStepsFailsTheEnclosingStepAndPointsAtTheInnerStep() {
    RunResult r = runOne(dir, """
        command: [sh, -c, "printf 'go> '; read a; echo wrong; sleep 30"]
        steps:
          - expect:
              - match: "go> "
                sendline: x
                steps:
                  - expect: right
                    timeout: 1s
          - expect: eof
        """);
    assertThat(r.passed()).isFalse();
    // step 1 failed, at the inner step's line (7) and column.
    assertThat(r.failure()).contains("step 1 (").contains("dialogue.yaml:7:13)")
        .contains("\"right\"");
    assertThat(r.steps()).hasSize(1);
    assertThat(r.steps().get(0).passed()).isFalse();
  }

  @Test
  void anAlwaysBranchsOwnStepsAreNotInterruptedByAlwaysBranches() {
    // The always branch's steps wait for "ok", which comes after another "[sudo]" line: it must
    // not be taken again inside its own handling (that would loop).
    RunResult r = runOne(dir, """
        command: [sh, -c, "printf '[sudo] x\\\\n'; read a; echo '[sudo] again'; echo ok; \\
          printf 'end> '; read b; echo bye"]
        always:
          - match: "[sudo]"
            sendline: pw
            steps:
              - expect: ok
        steps:
          - expect: "end> "
            sendline: z
          - expect: bye
        """, new RunOptions());
    assertThat(r.passed()).as(r.failure()).isTrue();
  }

  @Test
  void whenIsTestedAsItsStepComesAndAValueThatDoesNotFitFailsThatStep() {
    RunResult r = runOne(dir, """
        command: [cat]
        vars: {n: many}
        steps:
          - sendline: "first"
            when: ${n} == many
          - sendline: "skipped"
            when: ${n} != many
          - expect: {regex: '(?<word>\\w+)\\n'}
          - expect:
              - match: skipped
                when: ${word} == skipped
              - match: timeout
            timeout: 1s
          - sendline: "${word}"
            when: ${n} > 3
        """);
    assertThat(r.passed()).isFalse();
    assertThat(r.steps().get(1).captures()).containsEntry("word", "first");
    assertThat(r.steps().get(2).branch()).isEqualTo("timeout");
    assertThat(r.failure()).startsWith("step 5 (").contains("when: ${n} > 3 (")
        .contains("${n} is 'many', not a number");
  }

  @Test
  void anIncludesParametersAreItsOwnAndItsCapturesStay() throws java.io.IOException {
    java.nio.file.Files.writeString(dir.resolve("echo.yaml"), """
        vars: {word: default}
        steps:
          - sendline: "${word}"
          - expect: {regex: '(?<echoed>\\w+)\\n'}
        """);
    RunResult r = runOne(dir, """
        command: [cat]
        vars: {word: outer}
        steps:
          - include: echo.yaml
          - include: echo.yaml
            vars: {word: given}
          - sendline: "${word}-${echoed}"
          - expect: "outer-given"
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.steps()).extracting(s -> s.kind()).containsExactly("include", "include", "send",
        "expect");
  }

  @Test
  void setSleepAndLogStepsAndASetFromASecretStaysSecret() {
    java.util.List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    dev.promptly.report.RunObserver watch = new dev.promptly.report.RunObserver() {
      @Override
      public void logged(String run, String text) {
        logged.add(text);
      }

      @Override
      public void sent(String run, String shown, boolean echoed) {
        sent.add(shown);
      }
    };
    java.util.List<RunResult> all = TestRuns.run(TestRuns.write(dir, "set", """
        command: [cat]
        vars: {n: "1"}
        secret: [token]
        steps:
          - sendline: "tok-9f8e7d"
          - expect: {regex: '(?<token>tok-\\w+)'}
          - set: {n: "${n}1", bearer: "Bearer ${token}"}
          - sleep: 300ms
          - log: "n is ${n}, header ${bearer}"
          - sendline: "${bearer} ${n}"
          - expect: "Bearer tok-9f8e7d 11"
        """), new RunOptions(), watch);
    RunResult r = all.get(0);
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(logged).containsExactly("n is 11, header ******");
    assertThat(sent).containsExactly("tok-9f8e7d\n", "****** 11\n");
    assertThat(r.steps()).extracting(s -> s.kind()).containsExactly("send", "expect", "set",
        "sleep", "log", "send", "expect");
    assertThat(r.steps().get(3).elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(290));
  }

  @Test
  void retryPlaysAFailedStepAgainAndGivesUpAfterItsTimes() {
    // The child answers "busy" twice, then "ok": two retries are enough, one is not.
    String script = "for i in 1 2 3; do read x; if [ $i -lt 3 ]; then echo busy; else echo ok; fi;"
        + " done; sleep 5";
    // An include retried: the whole exchange (send, then expect) is played again.
    RunResult r = runOne(dir, """
        command: [sh, -c, "%s"]
        steps:
          - include: exchange.yaml
            retry: {times: 2, delay: 50ms}
          - expect: eof
            timeout: 20s
        """.formatted(script), new RunOptions());
    assertThat(r.passed()).as(r.failure()).isTrue();
    RunResult gaveUp = runOne(dir, """
        command: [sh, -c, "%s"]
        steps:
          - include: exchange.yaml
            retry: 1
        """.formatted(script), new RunOptions());
    assertThat(gaveUp.passed()).isFalse();
    assertThat(gaveUp.failure()).contains("failed 2 times (retry: 1); the last time: "
        + "the service is busy");
  }

  @org.junit.jupiter.api.BeforeEach
  void exchange() throws java.io.IOException {
    java.nio.file.Files.writeString(dir.resolve("exchange.yaml"), """
        steps:
          - sendline: go
          - expect:
              - match: ok
              - match: busy
                fail: "the service is busy"
        """);
  }
}
