package dev.promptly.terminal;

import static dev.promptly.terminal.RecordTest.flow;
import static dev.promptly.terminal.RecordTest.javaCommand;
import static dev.promptly.terminal.RecordTest.promptly;
import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.cli.PromptlyCommand;
import dev.promptly.terminal.RecordTest.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * promptly driving promptly: an outer dialogue on a pty runs {@code promptly run} of a dialogue
 * with an {@code interact:} step, types into the child as a person would, hands the terminal
 * back, and sees the inner dialogue go on and pass.
 */
class InteractTest {
  static final Path EXAMPLE = Path.of("dsl-examples/person/interact.yaml").toAbsolutePath();

  @TempDir
  Path dir;

  /** The outer dialogue: promptly run ARGS on a pty, then {@code steps}. */
  private Outcome person(String steps, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(javaCommand());
    cmd.add("run");
    cmd.addAll(List.of(args));
    Path outer = dir.resolve("person.yaml");
    Files.writeString(outer, """
        name: person
        pty: true
        timeout: 60s
        cwd: %s
        command: %s
        steps:
        %s
          - expect: eof
        """.formatted("'" + dir + "'", flow(cmd), steps.indent(2)));
    return promptly("run", outer.toString());
  }

  @Test
  void thePersonTypesThenEscapesAndTheDialogueGoesOn() throws Exception {
    Outcome o = person("""
        - expect: "the terminal is yours; ^] gives it back"
        - send: "hello\\r"
        - expect: {regex: '(?m)^got hello'}
        - expect: "Password: "
        - send: "s3cret-typed\\r"
        - expect: {regex: '(?m)^a password of 12 characters'}
        - expect: "more> "
        - send: "\\x1d"
        - expect: "the terminal is back with promptly (escape)"
        - expect: "got from the dialogue"
        - expect: "1 passed, 0 failed"
        """, "--transcript", "t", EXAMPLE.toString());
    assertThat(o.code()).as(o.out() + o.err()).isEqualTo(PromptlyCommand.PASSED);
    String log = Files.readString(dir.resolve("t/interact.log"));
    assertThat(log).contains("hello").contains("******").doesNotContain("s3cret-typed");
    assertThat(Files.readString(dir.resolve("t/interact.cast"))).doesNotContain("s3cret-typed");
  }

  @Test
  void inputUntilEndsTheInteractionAndOnOutputAnswersMeanwhile() throws Exception {
    Path inner = dir.resolve("shell.yaml");
    Files.writeString(inner, """
        name: shell
        pty: true
        command: [sh, -c, 'printf "shell> "; while read l; do case "$l" in exit) echo bye; break;;
          ask) echo "question?";; *) echo "you said $l";; esac; printf "shell> "; done;
          printf "after> "; read x; echo "after $x"']
        steps:
          - expect: "shell> "
          - interact:
              escape: none
              input-until: {regex: "exit\\r"}
              on-output:
                - match: "question?"
                  sendline: answer-from-promptly
          - expect: "after> "
          - sendline: done
          - expect: "after done"
          - expect: eof
        """);
    Outcome o = person("""
        - expect: "[shell] the terminal is yours"
        - send: "ask\\r"
        - expect: "you said answer-from-promptly"
        - send: "exit\\r"
        - expect: "the terminal is back with promptly (input-until)"
        - expect: "after done"
        - expect: "1 passed, 0 failed"
        """, inner.toString());
    assertThat(o.code()).as(o.out() + o.err()).isEqualTo(PromptlyCommand.PASSED);
  }

  @Test
  void severalRunsInteractOneAtATimeEachUntilItsPattern() throws Exception {
    Path inner = dir.resolve("two.yaml");
    Files.writeString(inner, """
        name: two-${n}
        matrix: {n: [a, b]}
        pty: true
        command: [sh, -c, 'printf "shell ${n}> "; read l; echo "bye from ${n}"; sleep 0.3']
        steps:
          - expect: "> "
          - interact: {until: "bye from"}
          - expect: eof
        """);
    Outcome o = person("""
        - expect: {regex: 'two-[ab]\\[n=[ab]\\]\\] the terminal is yours'}
        - send: "x\\r"
        - expect: "the terminal is back with promptly (until"
        - expect: {regex: 'two-[ab]\\[n=[ab]\\]\\] the terminal is yours'}
        - send: "y\\r"
        - expect: "the terminal is back with promptly (until"
        - expect: "2 passed, 0 failed"
        """, inner.toString());
    assertThat(o.code()).as(o.out() + o.err()).isEqualTo(PromptlyCommand.PASSED);
  }

  @Test
  void withoutATerminalNothingStartsAndTheStepIsNamed() throws Exception {
    // The test JVM's input is no terminal.
    Outcome o = promptly("run", EXAMPLE.toString());
    assertThat(o.code()).isEqualTo(PromptlyCommand.BAD_INPUT);
    assertThat(o.err()).contains("interact.yaml:12:").contains("interact: needs a terminal")
        .contains("nothing was run");
  }

  @Test
  void aVariableUsedOnlyByUntilIsUsed() throws Exception {
    Path f = dir.resolve("until.yaml");
    Files.writeString(f, """
        name: until
        pty: true
        command: [cat]
        steps:
          - interact: {until: "${who} logged out", input-until: {regex: '${word}'}}
        """);
    Outcome o = promptly("check", "--var", "who=alice", "--var", "word=bye", f.toString());
    assertThat(o.code()).as(o.err()).isZero();
  }
}
