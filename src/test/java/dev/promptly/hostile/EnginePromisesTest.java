package dev.promptly.hostile;

import static dev.promptly.cli.Cli.promptly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.Engine;
import dev.promptly.engine.TestRuns;
import dev.promptly.cli.Cli;
import dev.promptly.api.RunOptions;
import dev.promptly.cli.PromptlyCommand;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.engine.TestRuns;
import dev.promptly.report.RunResult;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's promises under real use (issue 13): no placeholder is ever typed, nothing hangs,
 * secrets stay secret. Real children, through the command line where it is about the command
 * line.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EnginePromisesTest {
  static final Path CHILDREN = TestRuns.CHILDREN;
  /** Surely unset: a test of "unset" must not depend on the machine. */
  static final String UNSET = "PROMPTLY_TEST_NEW_PASSWORD_NEVER_SET";

  @TempDir
  Path dir;


  private String passwd(String sendline) {
    return """
        name: passwd
        command: [python3, %s, %s]
        steps:
          - expect: "New password: "
            sendline: "%s"
            secret: true
          - expect: "Retype new password: "
            sendline: "%s"
            secret: true
          - expect: "updated successfully"
        """.formatted(CHILDREN.resolve("fake_passwd.py"), dir.resolve("typed.txt"), sendline,
        sendline);
  }

  @Test
  void anUnsetEnvironmentVariableStopsEverythingBeforeAChildStarts() throws Exception {
    assertThat(System.getenv(UNSET)).isNull();
    Path file = TestRuns.write(dir, "passwd", passwd("${env:" + UNSET + "}"));
    for (String command : new String[] {"run", "check"}) {
      Cli.Outcome o = promptly(command, file.toString());
      assertThat(o.code()).as(o.err()).isEqualTo(2);
      // Both uses are listed, each with its line and column.
      assertThat(o.err()).contains(file + ":5:15: environment variable " + UNSET + " is not set")
          .contains(file + ":8:15: environment variable " + UNSET + " is not set")
          .contains("${env:" + UNSET + ":-default}");
    }
    assertThat(dir.resolve("typed.txt")).doesNotExist();
  }

  @Test
  void aFallbackIsTypedWhenTheVariableIsUnset() throws Exception {
    Path file = TestRuns.write(dir, "passwd", passwd("${env:" + UNSET + ":-Fallback-9x}"));
    Cli.Outcome o = promptly("run", "-q", file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(Files.readString(dir.resolve("typed.txt"))).isEqualTo("Fallback-9x\nFallback-9x\n");
  }

  @Test
  void aCaptureWithNoValueFailsItsStepAndNothingIsSent() throws Exception {
    Path file = TestRuns.write(dir, "capture", """
        name: capture
        command: [python3, %s, %s]
        steps:
          - expect:
              - match: {regex: 'token=(?<token>\\w+)'}
              - match: "New password: "
          - sendline: "${token}"
          - expect: eof
        """.formatted(CHILDREN.resolve("fake_passwd.py"), dir.resolve("typed.txt")));
    Cli.Outcome o = promptly("run", "-q", "--timeout", "5s", file.toString());
    assertThat(o.code()).as(o.err()).isEqualTo(1);
    assertThat(o.err()).contains("variable ${token} has no value: it is captured by the branch at "
        + file + ":5:")
        .contains("nothing was sent");
    assertThat(dir.resolve("typed.txt")).satisfiesAnyOf(
        p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
  }

  @Test
  void whatAnAgainBranchCapturesIsUsableByItsSiblings() throws Exception {
    Path file = TestRuns.write(dir, "again", """
        name: again
        command: [sh, -c, "printf 'n=1\\nn=2\\nn=3\\ndone> '; read x; echo got $x"]
        steps:
          - expect:
              - match: {regex: 'n=(?<n>\\d)\\n'}
                again: true
              - match: "done> "
                sendline: "last ${n}"
          - expect: "got last 3"
        """);
    assertThat(promptly("check", file.toString()).code()).isZero();
    Cli.Outcome o = promptly("run", "-q", file.toString());
    assertThat(o.code()).as(o.err()).isZero();
  }

  @Test
  void aMisspelledVarIsAnErrorWithADidYouMean() throws Exception {
    Path file = TestRuns.write(dir, "passwd", passwd("${user}-pw").replace("name: passwd",
        "name: passwd\nvars: {user: alice}"));
    for (String command : new String[] {"run", "check"}) {
      Cli.Outcome o = promptly(command, "--var", "usr=dave", file.toString());
      assertThat(o.code()).as(o.err()).isEqualTo(2);
      assertThat(o.err()).contains("--var usr is not used by any dialogue (did you mean user?)");
    }
    assertThat(dir.resolve("typed.txt")).doesNotExist();
    // Spelt right, it overrides the dialogue's own value.
    Cli.Outcome o = promptly("run", "-q", "--var", "user=dave", file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(Files.readString(dir.resolve("typed.txt"))).isEqualTo("dave-pw\ndave-pw\n");
  }

  @Test
  void aVarOverMatrixKeyMakesOneRunNamedByItsValueAndNamesAreSubstituted() throws Exception {
    Path file = TestRuns.write(dir, "deploy", """
        name: deploy-${site}
        vars: {site: eu}
        matrix: {host: [web1, web2, web3]}
        command: [echo, "${host}"]
        steps:
          - expect: "${host}"
        """);
    Path json = dir.resolve("report.json");
    Cli.Outcome o = promptly("run", "--var", "host=db9", "--json", json.toString(), file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    String report = Files.readString(json);
    assertThat(report).contains("deploy-eu[host=db9]").doesNotContain("web1")
        .doesNotContain("${site}");
    assertThat(o.err()).contains("1 passed");
  }

  @Test
  void secretMatrixValuesAndSecretCapturesAreMaskedEverywhere() throws Exception {
    Path file = TestRuns.write(dir, "secrets", """
        name: login
        secret: [password, otp]
        matrix: {password: ["pw-Alpha-1", "pw-Beta-2"]}
        command: [python3, %s]
        steps:
          - expect: {regex: 'otp=(?<otp>\\S+)'}
          - expect: "Password: "
            sendline: "${password}"
          - expect: {regex: 'ok ${password} ${otp}x'}
            timeout: 1s
        """.formatted(CHILDREN.resolve("otp_login.py")));
    Path transcripts = dir.resolve("t");
    Path junit = dir.resolve("junit.xml");
    Path json = dir.resolve("report.json");
    Cli.Outcome o = promptly("run", "-v", "--transcript", transcripts.toString(), "--junit",
        junit.toString(), "--json", json.toString(), file.toString());
    assertThat(o.code()).as(o.err()).isEqualTo(1);
    List<String> seen = new ArrayList<>(List.of(o.out(), o.err(), Files.readString(junit),
        Files.readString(json)));
    try (var files = Files.list(transcripts)) {
      for (Path p : files.toList()) {
        seen.add(p.getFileName().toString());
        seen.add(Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1));
      }
    }
    for (String s : seen) {
      assertThat(s).doesNotContain("pw-Alpha-1").doesNotContain("pw-Beta-2")
          .doesNotContain("5521");
    }
    assertThat(o.err()).contains("login[password#1]").contains("login[password#2]");
  }

  @Test
  void aShortSecretIsWarnedAtCheck() throws Exception {
    Path file = TestRuns.write(dir, "short", """
        secret: [pin]
        vars: {pin: "12"}
        command: [cat]
        steps:
          - sendline: "${pin}"
        """);
    Cli.Outcome o = promptly("check", file.toString());
    assertThat(o.code()).isZero();
    assertThat(o.err()).contains("warning").contains("secret pin").contains("shorter than 4");
  }

  @Test
  void anOverflowingDurationIsAnErrorInTheFile() throws Exception {
    Path file = TestRuns.write(dir, "long", """
        command: [cat]
        timeout: 99999999h
        steps:
          - expect: x
        """);
    Cli.Outcome o = promptly("check", file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains(file + ":2:10: a duration must be at most 365 days");
  }

  @Test
  void fiveThousandAgainMatchesInOneReadPass() throws Exception {
    RunResult r = TestRuns.runOne(dir, """
        command: [python3, -c, "import sys; sys.stdout.write('x> ' * 5000 + 'done')"]
        steps:
          - expect:
              - match: "x> "
                again: true
              - match: "done"
          - expect: eof
        """);
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.steps().get(0).passes()).isEqualTo(5001);
  }

  @Test
  void anAgainBranchThatMatchesEmptyTextFailsInsteadOfLooping() throws Exception {
    RunResult r = TestRuns.runOne(dir, """
        command: [sh, -c, "echo hello; sleep 30"]
        steps:
          - expect:
              - match: {regex: 'x*'}
                again: true
              - match: timeout
            timeout: 5s
        """, new RunOptions().setGrace(Duration.ofMillis(200)));
    assertThat(r.passed()).isFalse();
    assertThat(r.failure()).contains("matched empty text and has 'again'");
    assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(4));
  }

  /**
   * Three catastrophic regexes, each under a 2 s step limit, on the same single event loop as a
   * run that answers 20 prompts with a 1 s limit per step: the pingpong passes while they search,
   * and each of them fails at about its limit saying the pattern took too long.
   */
  @Test
  void catastrophicRegexesCostTheirTimeoutWhileARunOnTheSameLoopGoesOn() throws Exception {
    Path file = TestRuns.write(dir, "bad", """
        dialogues:
          - name: nested
            command: [python3, -c, "import sys,time; sys.stdout.write('a' * 40); sys.stdout.flush(); time.sleep(30)"]
            steps:
              - expect: {regex: '((a+)+)+b'}
                timeout: 2s
          - name: repeated
            command: [python3, -c, "import sys,time; sys.stdout.write('a' * 60 + 'x'); sys.stdout.flush(); time.sleep(30)"]
            steps:
              - expect: {regex: '(.*a){12}$'}
                timeout: 2s
          - name: greedy
            command: [python3, -c, "import sys,time; sys.stdout.write(('line of output ' * 5 + '\\\\n') * 70000); sys.stdout.flush(); time.sleep(30)"]
            steps:
              - expect: {regex: '.*prompt> '}
                timeout: 2s
          - name: pingpong
            command: [sh, -c, "sleep 0.3; i=0; while [ $i -lt 20 ]; do printf 'p> '; read x; echo got $x; i=$((i+1)); done"]
            timeout: 1s
            steps:
              - expect: "p> "
                sendline: "a"
              - expect:
                  - match: {regex: 'got a\\n(?=p> )'}
                    sendline: "a"
                    again: true
                  - match: {regex: 'got a\\n$'}
                timeout: 8s
        """);
    LoadResult loaded = DialogueLoader.load(file, java.util.Map.of());
    assertThat(loaded.problems()).isEmpty();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    List<RunResult> results;
    try (Engine engine = Engine.create(vertx)) {
      results = engine.run(loaded.dialogues(), TestRuns.settings(new RunOptions().setJobs(4)
              .setGrace(Duration.ofMillis(300))), dev.promptly.report.RunObserver.NONE)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    RunResult pingpong = results.get(3);
    assertThat(pingpong.passed()).as(pingpong.failure()).isTrue();
    for (RunResult bad : results.subList(0, 3)) {
      assertThat(bad.passed()).as(bad.name()).isFalse();
      assertThat(bad.failure()).as(bad.name()).contains("took too long");
      assertThat(bad.elapsed()).as(bad.name()).isBetween(Duration.ofMillis(1900),
          Duration.ofSeconds(6));
    }
    Instant lastBadStart = results.subList(0, 3).stream().map(RunResult::started)
        .max(Instant::compareTo).orElseThrow();
    // The pingpong ended while the bad patterns were still searching.
    assertThat(pingpong.started().plus(pingpong.elapsed()))
        .isBefore(lastBadStart.plusMillis(1900));
  }

  /** A long literal over output full of near misses: linear, not output x literal length. */
  @Test
  void aLongLiteralIsFoundInLinearTime() throws Exception {
    String prompt = "a".repeat(5000) + "b";
    RunResult r = TestRuns.runOne(dir, """
        command: [python3, -c, "import sys; sys.stdout.write('a' * 4000000 + 'a' * 5000 + 'b' + '\\\\n')"]
        steps:
          - expect: "%s"
            timeout: 5s
          - expect: eof
        """.formatted(prompt));
    assertThat(r.passed()).as(r.failure()).isTrue();
  }
}
