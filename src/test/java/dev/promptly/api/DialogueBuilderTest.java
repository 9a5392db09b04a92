package dev.promptly.api;

import static dev.promptly.api.DialogueBuilder.when;
import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.engine.TestRuns;
import dev.promptly.report.RunResult;
import dev.promptly.report.StepResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dialogue built in Java and the same one loaded from YAML give the same results. */
class DialogueBuilderTest {
  private static final String CHILD = "import getpass\n"
      + "t = input('Введите текст: ')\n"
      + "print(f'Вы ввели {t}')\n"
      + "input('(yes/no)? ')\n"
      + "p = getpass.getpass('Password:')\n"
      + "print('ok' if p == 's3cret' else 'bad')\n";

  @TempDir
  Path dir;

  @Test
  void sameDialogueFromYamlAndFromJavaRunsTheSame() throws Exception {
    Path child = dir.resolve("child.py");
    java.nio.file.Files.writeString(child, CHILD);
    Path file = TestRuns.write(dir, "echo", """
        name: echo
        command: [python3, child.py]
        vars: {pw: s3cret}
        secret: [pw]
        matrix: {text: [one, two]}
        timeout: 5s
        steps:
          - expect: "Введите текст: "
          - sendline: "${text}"
          - expect: {regex: 'Вы ввели (?<who>\\w+)'}
          - expect:
              - match: "Password:"
                sendline: "${pw}"
              - match: "(yes/no)? "
                sendline: "no"
                again: true
              - match: timeout
                fail: "no password prompt"
          - expect: ok
          - close: stdin
          - expect: eof
        exit: 0
        """);
    LoadResult loaded = DialogueLoader.load(file, java.util.Map.of());
    assertThat(loaded.problems()).isEmpty();

    Dialogue built = DialogueBuilder.named("echo")
        .command("python3", "child.py").cwd(dir)
        .var("pw", "s3cret").secret("pw")
        .matrix("text", "one", "two")
        .timeout(Duration.ofSeconds(5))
        .expect("Введите текст: ")
        .sendLine("${text}")
        .expect(Expectation.regex("Вы ввели (?<who>\\w+)"))
        .expect(when("Password:").sendLine("${pw}"),
            when("(yes/no)? ").sendLine("no").again(),
            when(Expectation.timeout()).fail("no password prompt"))
        .expect("ok")
        .closeInput()
        .expect(Expectation.eof())
        .exit(0)
        .build();

    List<RunResult> fromYaml = run(loaded.dialogues().get(0));
    List<RunResult> fromJava = run(built.model());
    assertThat(fromYaml).hasSize(2);
    assertThat(fromYaml.get(0).passed()).as(fromYaml.get(0).failure()).isTrue();
    assertThat(fromYaml.get(1).steps().get(2).captures()).containsEntry("who", "two");
    assertThat(fromJava.stream().map(DialogueBuilderTest::comparable).toList())
        .isEqualTo(fromYaml.stream().map(DialogueBuilderTest::comparable).toList());
  }

  @Test
  void failuresReadTheSameButPlaceTheStepInJava() throws Exception {
    Path file = TestRuns.write(dir, "late", """
        name: late
        command: [sh, -c, "echo hello; sleep 30"]
        steps:
          - expect: hello
          - expect: {regex: 'bye|ciao'}
            timeout: 200ms
        """);
    dev.promptly.dsl.Dialogue yaml = DialogueLoader.load(file, java.util.Map.of()).dialogues().get(0);
    dev.promptly.dsl.Dialogue java = DialogueBuilder.named("late").command("sh", "-c", "echo hello; sleep 30")
        .expect("hello")
        .expect(Duration.ofMillis(200), Expectation.regex("bye|ciao"))
        .build().model();
    RunResult a = run(yaml).get(0);
    RunResult b = run(java).get(0);
    assertThat(b.passed()).isFalse();
    assertThat(b.failure()).startsWith("step 2 (Java:late): timed out after ")
        .contains("waiting for regex /bye|ciao/").contains("  | hello");
    assertThat(a.failure()).startsWith("step 2 (" + file + ":5:5): timed out after ");
    assertThat(withoutTimes(b.failure()).replace("Java:late", "F"))
        .isEqualTo(withoutTimes(a.failure()).replace(file + ":5:5", "F"));
    assertThat(comparable(b)).isEqualTo(comparable(a));
  }

  private static String withoutTimes(String s) {
    return s.replaceAll("after [0-9.]+m?s", "after T");
  }

  /** What must agree: everything but times, the file and line numbers (Java has none). */
  private static List<Object> comparable(RunResult r) {
    return List.of(r.name(), r.passed(), String.valueOf(r.exitCode()), String.valueOf(r.signal()),
        r.bytesRead(), r.bytesWritten(), r.steps().stream().map(DialogueBuilderTest::step).toList());
  }

  private static List<Object> step(StepResult s) {
    return List.of(s.index(), s.kind(), String.valueOf(s.branch()), String.valueOf(s.matched()),
        s.offset(), s.captures(), s.passes());
  }

  private static List<RunResult> run(dev.promptly.dsl.Dialogue d) throws Exception {
    try (dev.promptly.engine.Engine p = dev.promptly.engine.Engine.create()) {
      return p.run(List.of(d), TestRuns.settings(new RunOptions()),
              dev.promptly.report.RunObserver.NONE).toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    }
  }
}
