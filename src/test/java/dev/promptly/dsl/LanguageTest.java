package dev.promptly.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys of issue 19 through the loader: what they build, and their errors' places. */
class LanguageTest {
  @TempDir
  Path dir;

  private Path write(String name, String yaml) throws IOException {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, yaml);
    return f;
  }

  /** Problems as "LINE:COLUMN: message". */
  private List<String> problems(String yaml) throws IOException {
    return DialogueLoader.load(write("t.yaml", yaml), Map.of()).problems().stream()
        .map(p -> p.pos().line() + ":" + p.pos().column() + ": " + p.message()).toList();
  }

  private Dialogue one(String yaml) throws IOException {
    LoadResult r = DialogueLoader.load(write("one.yaml", yaml), Map.of());
    assertThat(r.problems()).isEmpty();
    return r.dialogues().get(0);
  }

  @Test
  void alwaysBranchesAndBranchStepsAreRead() throws IOException {
    Dialogue d = one("""
        command: [cat]
        always:
          - match: "[sudo] password"
            sendline: pw
            secret: true
          - match: {regex: 'reset (?<why>\\w+)'}
            fail: "lost: ${why}"
        steps:
          - expect:
              - match: "a"
                steps:
                  - sendline: b
                  - expect: {regex: 'got (?<got>\\w+)'}
              - match: eof
          - sendline: "${got}"
        """);
    assertThat(d.always()).hasSize(2);
    assertThat(d.always().get(0).send().secret()).isTrue();
    assertThat(d.always().get(1).fail()).isEqualTo("lost: ${why}");
    Step.Expect first = (Step.Expect) d.steps().get(0);
    assertThat(first.branches().get(0).steps()).hasSize(2);
    assertThat(first.branches().get(1).steps()).isEmpty();
  }

  @Test
  void alwaysErrorsArePlaced() throws IOException {
    assertThat(problems("""
        command: [cat]
        always:
          - match: eof
          - match: x
            again: true
          - sendline: y
        steps:
          - expect: x
        """)).containsExactly(
            "3:12: an always branch waits for text or a regex; eof, timeout and screen belong to"
                + " a step's own branches",
            "5:5: unknown key 'again'",
            "6:5: a branch needs 'match:' (text, {regex: ...}, eof or timeout)");
    assertThat(problems("""
        command: [cat]
        always: []
        steps: []
        """)).containsExactly("2:9: always lists no branches");
  }

  @Test
  void branchStepsErrorsArePlacedAndTheirCapturesAreDefinedAfterTheStep() throws IOException {
    assertThat(problems("""
        command: [cat]
        steps:
          - expect:
              - match: a
                fail: no
                steps: [sendline: x]
              - match: b
                steps: []
              - match: c
                steps:
                  - sendline: "${later}"
                  - expect: {regex: '(?<inner>x)'}
          - sendline: "${inner}${undefined}"
          - send: x
            steps: [sendline: y]
        """)).containsExactly(
            "6:9: a branch that fails plays no steps; drop 'fail' or 'steps'",
            "8:16: steps lists no step",
            "11:23: undefined variable ${later}",
            "13:15: undefined variable ${undefined}",
            "15:5: 'steps' belongs to an expect step or branch");
  }
}
