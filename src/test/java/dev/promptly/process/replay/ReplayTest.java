package dev.promptly.process.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.cli.PromptlyCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A .cast recorded by promptly's own --transcript on a pty run replays against its dialogue
 * (pass) and, against a changed dialogue, fails at once naming what the recording expected.
 */
class ReplayTest {
  private static final String STEPS = """
      steps:
        - expect: "Name: "
          sendline: %s
        - expect: "Password: "
          sendline: s3cret-pw
          secret: true
        - expect: {regex: 'hello (?<who>\\w+)'}
        - expect: eof
      """;

  @TempDir
  Path dir;

  record Outcome(int code, String out, String err) {
  }

  private static Outcome promptly(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Outcome(code, out.toString(), err.toString());
  }

  private Path record() throws Exception {
    Path live = dir.resolve("login.yaml");
    Files.writeString(live, """
        name: login
        pty: true
        command: [sh, -c, 'printf "Name: "; read n; printf "Password: "; stty -echo; read p; \
        stty echo; echo; sleep 0.2; echo "hello $n, pid $$"']
        """ + STEPS.formatted("alice"));
    Outcome o = promptly("run", "-q", "--transcript", dir.resolve("t").toString(),
        live.toString());
    assertThat(o.code()).as(o.err()).isEqualTo(PromptlyCommand.PASSED);
    Path cast = dir.resolve("t/login.cast");
    String text = Files.readString(cast, StandardCharsets.UTF_8);
    assertThat(text).contains("\"i\", \"alice\\n\"").doesNotContain("s3cret-pw");
    return cast;
  }

  @Test
  void aRecordingReplaysAgainstItsDialogue() throws Exception {
    record();
    Path replay = dir.resolve("replay.yaml");
    Files.writeString(replay, """
        name: replayed
        command: {replay: t/login.cast, speed: 2}
        """ + STEPS.formatted("alice"));
    long t0 = System.nanoTime();
    Outcome o = promptly("run", "--grace", "500ms", replay.toString());
    assertThat(o.code()).as(o.out() + o.err()).isEqualTo(PromptlyCommand.PASSED);
    assertThat(o.out()).contains("hello alice");
    assertThat(Files.exists(dir.resolve("t/login.cast"))).isTrue();
    assertThat(System.nanoTime() - t0).as("paced, not stalled").isLessThan(20_000_000_000L);
  }

  @Test
  void aChangedDialogueFailsAtOnceNamingWhatTheRecordingExpected() throws Exception {
    record();
    Path changed = dir.resolve("changed.yaml");
    Files.writeString(changed, """
        name: changed
        timeout: 60s
        command: {replay: t/login.cast}
        """ + STEPS.formatted("bob"));
    long t0 = System.nanoTime();
    Outcome o = promptly("run", "--grace", "500ms", changed.toString());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(o.code()).as(o.out() + o.err()).isEqualTo(PromptlyCommand.FAILED);
    assertThat(o.err()).contains("login.cast expected \"alice\\n\"")
        .contains("sent \"bob\\n\"").contains("step 1");
    assertThat(ms).as("at once, not at the 60 s step timeout").isLessThan(30_000);
  }

  @Test
  void aMissingRecordingIsAnErrorOfTheFile() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        name: bad
        command: {replay: nowhere.cast}
        steps:
          - expect: eof
        """);
    Outcome o = promptly("check", bad.toString());
    assertThat(o.code()).isEqualTo(PromptlyCommand.BAD_INPUT);
    assertThat(o.err()).contains("bad.yaml:2:").contains("no such recording");
  }

  @Test
  void aDialogueThatSendsLessFailsAtOnceSayingWhatTheRecordingWaitsFor() throws Exception {
    record();
    Path shorter = dir.resolve("shorter.yaml");
    Files.writeString(shorter, """
        name: shorter
        timeout: 60s
        command: {replay: t/login.cast, speed: 4}
        steps:
          - expect: "Name: "
            sendline: alice
          - expect: "hello"
        """);
    long t0 = System.nanoTime();
    Outcome o = promptly("run", "--grace", "500ms", shorter.toString());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(o.code()).as(o.out() + o.err()).isEqualTo(PromptlyCommand.FAILED);
    assertThat(o.err()).contains("step 2").contains("login.cast waits here for input \"******")
        .contains("the dialogue sent nothing");
    assertThat(ms).as("at once, not at the 60 s step timeout").isLessThan(30_000);
  }
}
