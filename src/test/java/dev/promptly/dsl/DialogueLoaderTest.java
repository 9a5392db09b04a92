package dev.promptly.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DialogueLoaderTest {
  @TempDir
  Path dir;

  private Path write(String name, String yaml) throws IOException {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, yaml);
    return f;
  }

  /** Problems as "LINE:COLUMN: message", the file name being the same for all. */
  private static List<String> problems(LoadResult r) {
    return r.problems().stream()
        .map(p -> p.pos().line() + ":" + p.pos().column() + ": " + p.message()).toList();
  }

  private List<String> problems(String yaml) throws IOException {
    return problems(DialogueLoader.load(write("t.yaml", yaml), Map.of()));
  }

  private Dialogue one(String yaml) throws IOException {
    LoadResult r = DialogueLoader.load(write("one.yaml", yaml), Map.of());
    assertThat(problems(r)).isEmpty();
    assertThat(r.dialogues()).hasSize(1);
    return r.dialogues().get(0);
  }

  @Test
  void loadsTheSpecExample() throws IOException {
    Dialogue d = one("""
        name: echo
        command: [python3, echo.py]
        shell: false
        pty: true
        cwd: sub/../work
        env: {LANG: C.UTF-8, N: 3, B: true}
        timeout: 10s
        vars: {user: Zoot, greeting: "hi ${user}"}
        secret: [user]
        matrix: {text: [a, b, 3]}
        exit: any
        size: 50x200
        echo: false
        strip-ansi: true
        steps:
          - expect: "Введите текст: "
            sendline: "${user} ${text}"
          - expect: {regex: 'Вы ввели (?<who>\\w+)'}
          - send: "\\x04"
          - close: stdin
          - expect: eof
        """);
    assertThat(d.name()).isEqualTo("echo");
    assertThat(d.command()).containsExactly("python3", "echo.py");
    assertThat(d.pty()).isTrue();
    assertThat(d.cwd()).isEqualTo(dir.toAbsolutePath().resolve("work"));
    assertThat(d.env()).containsEntry("LANG", "C.UTF-8").containsEntry("N", "3")
        .containsEntry("B", "true");
    assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.vars()).containsExactly(Map.entry("user", "Zoot"),
        Map.entry("greeting", "hi ${user}"));
    assertThat(d.secretVars()).containsExactly("user");
    assertThat(d.matrix()).containsEntry("text", List.of("a", "b", "3"));
    assertThat(d.exit()).isNull();
    assertThat(d.terminal()).isEqualTo(new Dialogue.Terminal(50, 200, false, true));
    assertThat(d.steps()).hasSize(5);
    Step.Expect first = (Step.Expect) d.steps().get(0);
    assertThat(first.branches()).containsExactly(new Branch(
        new Branch.Pattern.Literal("Введите текст: "),
        new Step.Send.Text("${user} ${text}", true, false), false, null,
        new SourcePos(d.file(), 16, 5)));
    assertThat(((Step.Send) d.steps().get(2)).text().text()).isEqualTo("\u0004");
    assertThat(d.steps().get(3)).isEqualTo(new Step.Close(new SourcePos(d.file(), 20, 5)));
    assertThat(((Step.Expect) d.steps().get(4)).branches().get(0).pattern())
        .isEqualTo(new Branch.Pattern.Eof());
    assertThat(d.pos()).isEqualTo(new SourcePos(d.file(), 1, 1));
  }

  @Test
  void defaults() throws IOException {
    Dialogue d = one("command: cat -u\nsteps: []\n");
    assertThat(d.name()).isEqualTo("one");
    assertThat(d.command()).containsExactly("cat", "-u");
    assertThat(d.shell()).isFalse();
    assertThat(d.pty()).isFalse();
    assertThat(d.cwd()).isEqualTo(dir.toAbsolutePath().normalize());
    assertThat(d.env()).isEmpty();
    assertThat(d.timeout()).isNull();
    assertThat(d.vars()).isEmpty();
    assertThat(d.matrix()).isEmpty();
    assertThat(d.exit()).isZero();
    assertThat(d.terminal()).isEqualTo(Dialogue.Terminal.defaults());
    assertThat(d.steps()).isEmpty();
  }

  @Test
  void crlfIsNormalisedOnAPtyUnlessKept() throws IOException {
    assertThat(one("command: cat\npty: true\nsteps: []\n").terminal().normalizeCrLf())
        .isTrue();
    assertThat(one("command: cat\npty: true\ncrlf: normalize\nsteps: []\n").terminal()
        .normalizeCrLf()).isTrue();
    Dialogue kept = one("command: cat\npty: true\ncrlf: keep\nsteps: []\n");
    assertThat(kept.terminal()).isEqualTo(new Dialogue.Terminal(24, 500, true, false, false));
    assertThat(problems("command: cat\npty: true\ncrlf: lf\nsteps: []\n")).containsExactly(
        "3:7: expected normalize (a pty's \\r\\n is matched as \\n) or keep, got 'lf'");
    assertThat(problems("command: cat\ncrfl: keep\nsteps: []\n")).containsExactly(
        "2:1: unknown key 'crfl' (did you mean 'crlf'?)");
  }

  @Test
  void commandStringsAreSplitLikeAShell() throws IOException {
    Dialogue d = one("command: printf '%s|' \"a b\" '' c\\ d\nsteps: []\n");
    assertThat(d.command()).containsExactly("printf", "%s|", "a b", "", "c d");
    assertThat(DialogueLoader.argv(d)).isEqualTo(d.command());
  }

  @Test
  void shellRunsTheStringWithBinSh() throws IOException {
    Dialogue d = one("command: echo hi | tr a-z A-Z\nshell: true\nsteps: []\n");
    assertThat(d.shell()).isTrue();
    assertThat(d.command()).containsExactly("echo hi | tr a-z A-Z");
    assertThat(DialogueLoader.argv(d)).containsExactly("/bin/sh", "-c", "echo hi | tr a-z A-Z");
  }

  @Test
  void everyStepForm() throws IOException {
    Dialogue d = one("""
        command: [cat]
        vars: {user: Zoot}
        steps:
          - expect: "Name: "
            sendline: ${user}
          - expect: {regex: 'Hi (?<who>\\w+)'}
            timeout: 2s
          - expect:
              - match: "Password:"
                sendline: "${env:PASSWORD:-hunter2}"
                secret: true
              - match: {regex: '\\(yes/no\\)\\?'}
                send: "yes"
                again: true
              - match: timeout
                fail: "no prompt for ${who}"
              - match: {literal: eof}
            timeout: 1.5
          - expect: timeout
          - send: done
            secret: true
          - close: stdin
          - expect: eof
        """);
    List<Step> s = d.steps();
    Path f = d.file();
    assertThat(s.get(0)).isEqualTo(new Step.Expect(List.of(new Branch(
        new Branch.Pattern.Literal("Name: "), new Step.Send.Text("${user}", true, false),
        false, null, new SourcePos(f, 4, 5))), null, new SourcePos(f, 4, 5)));
    assertThat(s.get(1)).isEqualTo(new Step.Expect(List.of(new Branch(
        new Branch.Pattern.Regex("Hi (?<who>\\w+)"), null, false, null,
        new SourcePos(f, 6, 5))), Duration.ofSeconds(2), new SourcePos(f, 6, 5)));
    Step.Expect multi = (Step.Expect) s.get(2);
    assertThat(multi.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(multi.branches()).containsExactly(
        new Branch(new Branch.Pattern.Literal("Password:"),
            new Step.Send.Text("${env:PASSWORD:-hunter2}", true, true), false, null,
            new SourcePos(f, 9, 9)),
        new Branch(new Branch.Pattern.Regex("\\(yes/no\\)\\?"),
            new Step.Send.Text("yes", false, false), true, null, new SourcePos(f, 12, 9)),
        new Branch(new Branch.Pattern.Timeout(), null, false, "no prompt for ${who}",
            new SourcePos(f, 15, 9)),
        new Branch(new Branch.Pattern.Literal("eof"), null, false, null,
            new SourcePos(f, 17, 9)));
    assertThat(((Step.Expect) s.get(3)).branches().get(0).pattern())
        .isEqualTo(new Branch.Pattern.Timeout());
    assertThat(s.get(4)).isEqualTo(new Step.Send(new Step.Send.Text("done", false, true),
        new SourcePos(f, 20, 5)));
    assertThat(s.get(5)).isInstanceOf(Step.Close.class);
    assertThat(s.get(6)).isInstanceOf(Step.Expect.class);
  }

  @Test
  void escapesAreDecodedExceptInDoubleQuotes() throws IOException {
    Dialogue d = one("""
        command: [cat]
        steps:
          - send: "\\x04\\\\n"
          - send: '\\x04\\n'
          - send: plain\\tand\\e[0m
          - send: |
              line\\r
          - sendline: "\\u0416"
        """);
    List<String> texts = d.steps().stream().map(st -> ((Step.Send) st).text().text()).toList();
    assertThat(texts).containsExactly("\u0004\\n", "\u0004\n", "plain\tand\u001b[0m",
        "line\r\n", "Ж");
  }

  @Test
  void pseudoPatternsAndLiteralsOfTheSameWords() throws IOException {
    Dialogue d = one("""
        command: [cat]
        steps:
          - expect: eof
          - expect: "timeout"
          - expect: {literal: timeout}
          - expect: {literal: eof}
        """);
    assertThat(d.steps()).extracting(st -> ((Step.Expect) st).branches().get(0).pattern())
        .containsExactly(new Branch.Pattern.Eof(), new Branch.Pattern.Timeout(),
            new Branch.Pattern.Literal("timeout"), new Branch.Pattern.Literal("eof"));
  }

  @Test
  void everyErrorOfAFileAtOnceWithItsPosition() throws IOException {
    assertThat(problems("""
        name: multi
        comand: [cat]
        pty: yes
        timeout: 0s
        exit: 300
        steps:
          - expect: {regex: 'a(b'}
            sendlin: x
          - send: a
            sendline: b
          - close: stdout
          - expect: "${nope}"
        """)).containsExactly(
        "1:1: missing 'command' (the program to run, as in command: [python3, app.py])",
        "2:1: unknown key 'comand' (did you mean 'command'?)",
        "3:6: expected a boolean (true or false), got a string 'yes'",
        "4:10: a duration must be more than 0, got '0s'",
        "5:7: expected an exit status 0-255, a signal such as SIGTERM, or 'any', got a number '300'",
        "7:21: bad regex: Unclosed group near index 3",
        "8:5: unknown key 'sendlin' (did you mean 'sendline'?)",
        "10:5: use either send or sendline, not both",
        "11:12: close takes only 'stdin', got 'stdout'",
        "12:13: undefined variable ${nope}");
  }

  @Test
  void wrongTypes() throws IOException {
    assertThat(problems("""
        command: {a: b}
        env: [A]
        vars: {a: [1]}
        shell: 1
        size: big
        steps: go
        """)).containsExactly(
        "1:10: expected a string, got a mapping",
        "2:6: expected a mapping, got a list",
        "3:11: expected a string, number or boolean, got a list",
        "4:8: expected a boolean (true or false), got a number '1'",
        "5:7: expected a terminal size ROWSxCOLUMNS such as 50x200 (1-65535 each), got 'big'",
        "6:8: expected a list, got a string 'go'");
  }

  @Test
  void commandProblems() throws IOException {
    assertThat(problems("command: []\nsteps: []\n"))
        .containsExactly("1:10: command is empty");
    assertThat(problems("command: '   '\nsteps: []\n"))
        .containsExactly("1:10: command is empty");
    assertThat(problems("command: \"echo 'x\"\nsteps: []\n"))
        .containsExactly("1:10: command: unterminated single quote (opened at character 6)");
    assertThat(problems("shell: true\ncommand: [echo, hi]\nsteps: []\n"))
        .containsExactly("2:10: shell: true needs command as a string");
    assertThat(problems("steps: []\n")).containsExactly(
        "1:1: missing 'command' (the program to run, as in command: [python3, app.py])");
    assertThat(problems("command: [cat]\n")).containsExactly(
        "1:1: missing 'steps' (a list such as - expect: \"$ \")");
  }

  @Test
  void stepProblems() throws IOException {
    assertThat(problems("""
        command: [cat]
        steps:
          - expect:
              - match: a
                sendlin: b
              - sendline: c
              - x
            sendline: d
          - send: x
            timeout: 1s
          - send: x
            again: true
          - expect: a
            close: stdin
          - expect: eof
            again: true
          - expect: a
            send: b
            fail: c
          - secret: true
          - {}
          - expect: ""
          - expect: {regex: a, literal: b}
          - expect: a
            secret: true
          - hello
          - sendline:
        """)).containsExactly(
        "5:9: unknown key 'sendlin' (did you mean 'sendline'?)",
        "6:9: a branch needs 'match:' (text, {regex: ...}, {literal: ...}, eof or timeout)"
            .replace(", {literal: ...}", ""),
        "7:9: expected a branch mapping (match: ...), got a string 'x'",
        "8:5: 'sendline' does not belong next to a list of branches; put it in a branch",
        "10:5: 'timeout' applies only to expect steps",
        "12:5: 'again' belongs to an expect step or branch",
        "14:5: 'close' cannot share a step with 'expect'; make it a step of its own",
        "16:5: 'again' after eof would match eof forever",
        "19:5: a branch that fails sends nothing; drop 'fail' or the send",
        "20:5: a step needs one of expect, send, sendline, close, signal, interact, "
            + "include, sleep, set or log",
        "21:5: a step needs one of expect, send, sendline, close, signal, interact, "
            + "include, sleep, set or log",
        "22:13: an empty pattern matches nothing useful",
        "23:13: a pattern mapping holds exactly one of regex or literal",
        "25:5: 'secret' needs send or sendline next to it",
        "26:5: expected a mapping (a step such as expect: or send:), got a string 'hello'",
        "27:14: expected the text to send, got nothing (write \"\" for no text)");
  }

  @Test
  void didYouMeanForKeysAndVariables() throws IOException {
    assertThat(problems("""
        commnd: [cat]
        stpes: []
        strip_ansi: true
        xyzzy: 1
        """)).contains(
        "1:1: unknown key 'commnd' (did you mean 'command'?)",
        "2:1: unknown key 'stpes' (did you mean 'steps'?)",
        "3:1: unknown key 'strip_ansi' (did you mean 'strip-ansi'?)",
        "4:1: unknown key 'xyzzy'");
    assertThat(problems("""
        command: [cat]
        vars: {user: a}
        steps:
          - sendline: ${usr}
        """)).containsExactly("4:15: undefined variable ${usr} (did you mean ${user}?)");
  }

  @Test
  void duplicateKeys() throws IOException {
    assertThat(problems("command: [cat]\nsteps: []\ncommand: [dog]\n"))
        .containsExactly("3:1: duplicate key 'command'");
  }

  @Test
  void invalidEscapeInSendText() throws IOException {
    assertThat(problems("command: [cat]\nsteps:\n  - send: 'C:\\path'\n"))
        .containsExactly("3:11: invalid escape '\\p' at character 3 (write \\\\ for a backslash)");
  }

  @Test
  void variableScopes() throws IOException {
    LoadResult r = DialogueLoader.load(write("v.yaml", """
        command: [echo, "${cli}", "${later}", "${env:HOME}", "$${not}", "$plain"]
        cwd: ${nope}
        vars:
          first: ${cli}
          second: ${first}
          third: ${fourth}
          fourth: x
        steps:
          - expect: "${who}"
          - expect: {regex: '(?<who>\\w+) (?<n>\\d)'}
            sendline: "${n}"
          - sendline: "${who} ${n}"
          - expect:
              - match: {regex: '${who}(?<m>x)'}
                fail: "got ${m}"
        secret: [m, nothing]
        """), Map.of("cli", "C"));
    assertThat(problems(r)).containsExactly(
        "1:27: undefined variable ${later}",
        "2:6: undefined variable ${nope}",
        "6:10: variable ${fourth} is used before it is defined (vars may refer only to vars "
            + "above them)",
        "9:13: undefined variable ${who}",
        "16:13: secret names an unknown variable 'nothing'");
  }

  @Test
  void unclosedVariableIsAnError() throws IOException {
    assertThat(problems("command: [cat]\nsteps:\n  - sendline: '${user'\n"))
        .containsExactly("3:15: '${' is not closed by '}' (write $${ for a literal ${)");
  }

  @Test
  void regexWithVariablesIsCheckedWithAPlaceholder() throws IOException {
    Dialogue d = one("""
        command: [cat]
        vars: {n: 3}
        steps:
          - expect: {regex: 'a{${n}}[${n}]'}
        """);
    assertThat(((Step.Expect) d.steps().get(0)).branches().get(0).pattern())
        .isEqualTo(new Branch.Pattern.Regex("a{${n}}[${n}]"));
  }

  @Test
  void matrixInlineAndFromAFile() throws IOException {
    write("data/values.txt", "one\n\n   \ntwo\r\nthree");
    Dialogue d = one("""
        command: [echo, "${text}", "${n}"]
        matrix:
          text: [a, b, 3]
          n: {file: data/values.txt}
        steps: []
        """);
    assertThat(d.matrix()).containsExactly(Map.entry("text", List.of("a", "b", "3")),
        Map.entry("n", List.of("one", "two", "three")));
  }

  @Test
  void matrixProblems() throws IOException {
    write("empty.txt", "\n \n");
    assertThat(problems("""
        command: [cat]
        matrix:
          a: {file: nope.txt}
          b: []
          c: {file: empty.txt}
          d: x
          e: {flie: x}
        steps: []
        """)).containsExactly(
        "3:13: matrix file 'nope.txt': cannot read: no such file",
        "4:6: matrix 'b' has no values",
        "5:13: matrix file 'empty.txt': holds no values",
        "6:6: expected a list of values or {file: PATH}, got a string 'x'",
        "7:7: unknown key 'flie' (did you mean 'file'?)");
  }

  @Test
  void durationsExitAndSize() throws IOException {
    assertThat(one("command: [cat]\ntimeout: 1.5\nsteps: []\n").timeout())
        .isEqualTo(Duration.ofMillis(1500));
    assertThat(one("command: [cat]\ntimeout: 10\nsteps: []\n").timeout())
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(one("command: [cat]\ntimeout: 2m\nexit: 3\nsteps: []\n").exit()).isEqualTo(3);
    assertThat(problems("command: [cat]\ntimeout: soon\nexit: -1\nsize: 0x80\nsteps: []\n"))
        .containsExactly(
            "2:10: expected a duration like 500ms, 10s, 1.5s, 2m or 1h, got 'soon'",
            "3:7: expected an exit status 0-255, a signal such as SIGTERM, or 'any', got a number '-1'",
            "4:7: expected a terminal size ROWSxCOLUMNS such as 50x200 (1-65535 each), "
                + "got '0x80'");
  }

  @Test
  void cwdWithVariablesIsResolvedAtRunTime() throws IOException {
    Dialogue d = one("command: [cat]\nvars: {d: x}\ncwd: ${d}/y\nsteps: []\n");
    assertThat(d.cwd()).isEqualTo(Path.of("${d}/y"));
    assertThat(DialogueLoader.resolveCwd(d, Map.of("d", "sub")::get))
        .isEqualTo(dir.toAbsolutePath().resolve("sub/y"));
    assertThat(DialogueLoader.resolveCwd(d, Map.of("d", "/tmp")::get))
        .isEqualTo(Path.of("/tmp/y"));
  }

  @Test
  void aFileWithSeveralDialogues() throws IOException {
    LoadResult r = DialogueLoader.load(write("multi.yml", """
        dialogues:
          - command: [cat]
            steps: []
          - name: second
            command: cat
            steps: []
          - command: [cat]
            steps: []
        """), Map.of());
    assertThat(problems(r)).isEmpty();
    assertThat(r.dialogues()).extracting(Dialogue::name)
        .containsExactly("multi-1", "second", "multi-3");
    assertThat(r.dialogues().get(1).pos().line()).isEqualTo(4);

    assertThat(problems("dialogues: []\nname: x\n")).containsExactly(
        "1:12: 'dialogues' lists no dialogue",
        "2:1: 'name' does not belong next to 'dialogues:'; put it in each dialogue");
  }

  @Test
  void sameNamesInDifferentFilesAreNamedByTheirFoldersAndWithinAFileAreAnError()
      throws IOException {
    Path a = write("a/x.yaml", "command: [cat]\nsteps: []\n");
    Path b = write("b/x.yaml", "\ncommand: [cat]\nsteps: []\n");
    LoadResult r = DialogueLoader.loadAll(List.of(a, b), Map.of());
    assertThat(r.problems()).isEmpty();
    assertThat(r.dialogues()).extracting(Dialogue::name).containsExactly("a/x", "b/x");
    Path c = write("c.yaml", "dialogues:\n  - {name: y, command: [cat], steps: []}\n"
        + "  - {name: y, command: [cat], steps: []}\n");
    assertThat(DialogueLoader.loadAll(List.of(c), Map.of()).problems())
        .extracting(Problem::toString).singleElement().asString()
        .contains("duplicate dialogue name 'y'");
  }

  @Test
  void problemPrintsFileLineColumn() throws IOException {
    Path f = write("p.yaml", "command: [cat]\nsteps: []\npyt: true\n");
    assertThat(DialogueLoader.load(f, Map.of()).problems()).extracting(Problem::toString)
        .containsExactly(f + ":3:1: unknown key 'pyt' (did you mean 'pty'?)");
  }

  @Test
  void whatTheFuzzFoundIsAPlacedMessage() throws IOException {
    // A regex ending in a lone backslash: the JDK's own words are "Unexpected internal error".
    assertThat(problems("""
        command: [ls]
        steps:
          - expect: {regex: 'total \\'}
        """)).containsExactly(
            "3:21: bad regex: a lone '\\' at the end escapes nothing near index 7");
    // An unfinished \x escape at the very end of the file trips the YAML scanner itself.
    assertThat(problems("command: [ls]\nsteps:\n  - send: \"\\x"))
        .containsExactly("3:14: not valid YAML: the parser could not read the file "
            + "(look for an unfinished quoted string or escape)");
  }
}
