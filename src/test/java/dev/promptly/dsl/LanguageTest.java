package dev.promptly.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  private Condition when(String expr, String... vars) throws IOException {
    StringBuilder yaml = new StringBuilder("command: [cat]\nvars: {");
    for (String v : vars) {
      yaml.append(v).append(": x, ");
    }
    yaml.append("z: z}\nsteps:\n  - sendline: a\n    when: ").append(expr).append("\n");
    Dialogue d = one(yaml.toString());
    return ((Step.When) d.steps().get(0)).condition();
  }

  private static boolean test(Condition c, String... nameValue) {
    Map<String, String> vars = new java.util.HashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      vars.put(nameValue[i], nameValue[i + 1]);
    }
    return c.test(vars::get);
  }

  @Test
  void conditionsCompareNumbersAsNumbersAndEverythingElseAsText() throws IOException {
    Condition c = when("${count} > 4", "count");
    assertThat(test(c, "count", "16")).isTrue();
    assertThat(test(c, "count", "3.5")).isFalse();
    Condition text = when("${os} == debian", "os");
    assertThat(test(text, "os", "debian")).isTrue();
    assertThat(test(text, "os", "Debian")).isFalse();
    // A value is never expression text: one holding "or" or quotes is just compared.
    assertThat(test(text, "os", "x or 1 == 1")).isFalse();
    Condition num = when("${v} == 2.0", "v");
    assertThat(test(num, "v", "2")).isTrue();
    Condition words = when("${a} < ${b}", "a", "b");
    assertThat(test(words, "a", "apple", "b", "banana")).isTrue();
    assertThat(test(words, "a", "16", "b", "4")).isFalse();
    Condition mixed = when("${a} < 4", "a");
    assertThatThrownBy(() -> test(mixed, "a", "many"))
        .isInstanceOf(Condition.Failure.class)
        .hasMessageContaining("${a} is 'many', not a number").hasMessageContaining("one.yaml:5:");
  }

  @Test
  void conditionsCombineWithAndOrNotDefinedAndRegexes() throws IOException {
    Condition c = when("not defined(token) or ${token} =~ '^v[0-9]+[.]' and ${z} != y");
    assertThat(test(c)).isTrue();
    assertThat(test(c, "token", "v12.1", "z", "z")).isTrue();
    assertThat(test(c, "token", "v12.1", "z", "y")).isFalse();
    assertThat(test(c, "token", "x12", "z", "z")).isFalse();
    Condition p = when("(${z} == a or ${z} == b) and ${z} !~ c");
    assertThat(test(p, "z", "b")).isTrue();
    assertThat(test(p, "z", "c")).isFalse();
    Condition flag = when("${flag:-false}");
    assertThat(test(flag)).isFalse();
    assertThat(test(flag, "flag", "TRUE")).isTrue();
    assertThatThrownBy(() -> test(flag, "flag", "yes")).isInstanceOf(Condition.Failure.class)
        .hasMessageContaining("not true or false");
    // The right side is looked at only when the left one leaves the answer open.
    Condition guard = when("defined(n) and ${n} > 2");
    assertThat(test(guard)).isFalse();
  }

  @Test
  void badConditionsAreErrorsAtTheirColumn() throws IOException {
    assertThat(problems("""
        command: [cat]
        vars: {os: debian, n: 1}
        steps:
          - sendline: a
            when: ${os} = debian
          - sendline: a
            when: debian
          - sendline: a
            when: ${os} ==
          - sendline: a
            when: 3 > abc
          - sendline: a
            when: ${os} =~ '(x'
          - sendline: a
            when: ${nope} == 1
          - sendline: a
            when: (${n} == 1 or ${n} == 2
          - sendline: a
            when: ${n} < 2 < 3
          - sendline: a
            when: defined(1x)
          - sendline: a
            when: "${os} != debian and"
          - sendline: a
            when: ${n} == 1 ${n}
          - sendline: a
            when: ""
          - when: ${n} == 1
          - expect:
              - match: x
                when: ${os} == 1 and not ${n}
              - match: y
                when: [a]
        """)).containsExactly(
            "5:17: when: '=' alone compares nothing: write ==",
            "7:11: when: 'debian' is a value, not a condition: compare it, as in ${os} == debian",
            "9:19: when: the condition ends where a value was expected",
            "11:15: when: 'abc' is not a number, and > orders it against one",
            "13:20: when: bad regex: Unclosed group",
            "15:11: when: undefined variable ${nope} (defined(nope) tests whether it has a value)",
            "17:34: when: '(' is not closed by ')'",
            "19:20: when: comparisons do not chain: join them with and",
            "21:19: when: defined( ) takes a variable's name, as in defined(token)",
            "23:31: when: the condition ends where a value was expected",
            "25:21: when: unexpected '${n}' (join conditions with and / or)",
            "27:12: when: the condition is empty",
            "28:5: a step needs one of expect, send, sendline, close, signal, interact, "
            + "include, sleep, set or log",
            "33:15: expected a condition such as ${os} == debian, got a list");
  }

  /** Problems as the command line shows them, without the temporary folder. */
  private List<String> shown(Path file) {
    return DialogueLoader.load(file, Map.of()).problems().stream()
        .map(p -> p.toString().replace(dir + "/", "")).toList();
  }

  @Test
  void anIncludeBringsInTheStepsOfAnotherFileWithItsVars() throws IOException {
    write("procs/login.yaml", """
        vars: {user: deploy, greeting: "hi ${user}"}
        steps:
          - expect: "login: "
            sendline: "${user}"
          - expect: {regex: 'Welcome (?<who>\\w+)'}
        """);
    Dialogue d = one("""
        command: [cat]
        vars: {me: alice}
        steps:
          - include: procs/login.yaml
            vars: {user: "${me}"}
          - sendline: "${who}"
        """);
    Step.Include inc = (Step.Include) d.steps().get(0);
    assertThat(inc.file()).isEqualTo(dir.resolve("procs/login.yaml").toAbsolutePath().normalize());
    assertThat(inc.vars()).containsExactly(Map.entry("user", "${me}"),
        Map.entry("greeting", "hi ${user}"));
    assertThat(inc.steps()).hasSize(2);
  }

  @Test
  void includeProblemsShowTheIncludeChain() throws IOException {
    write("procs/inner.yaml", """
        steps:
          - sendline: "${password}"
          - expect: {regex: '('}
        """);
    write("procs/outer.yaml", """
        steps:
          - sendline: x
          - include: inner.yaml
        """);
    Path main = write("main.yaml", """
        command: [cat]
        steps:
          - include: procs/outer.yaml
          - include: procs/missing.yaml
          - include: "${dir}/x.yaml"
        """);
    assertThat(shown(main)).containsExactly(
        "main.yaml:3:14 -> procs/outer.yaml:3:14 -> procs/inner.yaml:2:15: undefined variable"
            + " ${password}",
        "main.yaml:3:14 -> procs/outer.yaml:3:14 -> procs/inner.yaml:3:21: bad regex: Unclosed"
            + " group near index 1",
        "main.yaml:4:14: include: no such file procs/missing.yaml",
        "main.yaml:5:14: include: the file is read by check, before any variable has a value:"
            + " write its path without ${...}");
    // Defined where it is included: the same file is checked at each use.
    write("ok.yaml", """
        command: [cat]
        vars: {password: pw}
        steps:
          - include: procs/inner.yaml
        """);
    assertThat(shown(dir.resolve("ok.yaml"))).containsExactly(
        "ok.yaml:4:14 -> procs/inner.yaml:3:21: bad regex: Unclosed group near index 1");
  }

  @Test
  void includeCyclesAndDeepChainsAreErrorsNotLoops() throws IOException {
    write("a.yaml", """
        command: [cat]
        steps:
          - include: b.yaml
        """);
    write("b.yaml", """
        steps:
          - sendline: x
          - include: a.yaml
        """);
    assertThat(shown(dir.resolve("a.yaml"))).containsExactly(
        "a.yaml:3:14 -> b.yaml:3:14: include cycle: a.yaml -> b.yaml -> a.yaml");
    // A chain of 30 files, each including the next: refused at the 17th, no stack overflow.
    for (int i = 0; i < 30; i++) {
      write("deep" + i + ".yaml", "steps:\n  - include: deep" + (i + 1) + ".yaml\n");
    }
    write("deep30.yaml", "steps: [sendline: x]\n");
    write("top.yaml", "command: [cat]\nsteps:\n  - include: deep0.yaml\n");
    List<String> p = shown(dir.resolve("top.yaml"));
    assertThat(p).singleElement().asString().startsWith("top.yaml:3:14 -> deep0.yaml:2:14 -> ")
        .endsWith(": includes nested deeper than 16 files");
    // Ten includes of a file that includes itself ten times... bounded in all.
    write("fan.yaml", "steps:\n" + "  - include: leaf.yaml\n".repeat(40));
    write("leaf.yaml", "steps:\n" + "  - sendline: x\n");
    write("wide.yaml", "command: [cat]\nsteps:\n" + "  - include: fan.yaml\n".repeat(40));
    List<String> wide = shown(dir.resolve("wide.yaml"));
    assertThat(wide).isNotEmpty().allMatch(m -> m.contains("more than 500 includes")
        || m.contains("too many problems"));
  }

  @Test
  void setSleepLogAndRetryErrorsArePlaced() throws IOException {
    assertThat(problems("""
        command: [cat]
        steps:
          - set: {1x: a, ok: "${nope}"}
          - set: {}
          - sleep: forever
          - log: [a]
          - sendline: x
            retry: 0
          - sendline: x
            retry: {times: 101}
          - sendline: x
            retry: {delay: 1s}
          - sendline: x
            retry: {times: 2, delay: soon}
          - retry: 2
          - sendline: "${ok}"
        """)).containsExactly(
            "3:11: '1x' is not a variable name (letters, digits, _ . -, not starting with a digit)",
            "3:22: undefined variable ${nope}",
            "4:10: set names no variable (set: {name: value})",
            "5:12: expected a duration like 500ms, 10s, 1.5s, 2m or 1h, got 'forever'",
            "6:10: expected the text to log, got a list",
            "8:12: retry times: expected a number from 1 to 100, got '0'",
            "10:20: retry times: expected a number from 1 to 100, got '101'",
            "12:12: retry needs times: (how many more tries after a failure)",
            "14:30: expected a duration like 500ms, 10s, 1.5s, 2m or 1h, got 'soon'",
            "15:5: a step needs one of expect, send, sendline, close, signal, interact, "
                + "include, sleep, set or log");
  }
}
