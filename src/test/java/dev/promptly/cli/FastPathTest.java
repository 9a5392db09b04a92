package dev.promptly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.TestRuns;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Main's hand-parsed `run` line and picocli must never disagree. */
class FastPathTest {
  @TempDir
  Path dir;

  private record Outcome(Integer code, String out, String err) {
  }

  private static Outcome fast(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Integer code = Main.fastRun(args, new PrintWriter(out), new PrintWriter(err));
    return new Outcome(code, out.toString(), err.toString());
  }

  private static Outcome picocli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void theCommonLineGivesWhatPicocliGives() {
    Path f = TestRuns.write(dir, "greet", """
        command: [sh, -c, "printf 'name? '; read n; echo \\"hi $n\\"; exit ${code}"]
        vars: {code: "0"}
        steps:
          - expect: "name? "
            sendline: "${who}"
          - expect: "hi ${who}"
        exit: 3
        """);
    Path hosts = TestRuns.write(dir, "runbook", """
        hosts: web
        command: [uptime]
        steps:
          - expect: eof
        """);
    Path inventory = dir.resolve("hosts.ini");
    try {
      java.nio.file.Files.writeString(inventory, "[web]\nweb1\nweb2\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String[][] lines = {
      {"run", "-i", inventory.toString(), "--limit", "nosuch", hosts.toString()},
      {"run", "--inventory=" + inventory, "--limit=web9", hosts.toString()},
      {"run", "-i", dir.resolve("missing.ini").toString(), f.toString()},
      {"run", "--var", "who=Zoot", "--var=code=3", "-j", "2", "--timeout", "5s", f.toString()},
      {"run", "-q", "--var", "who=a b", "--var", "code=3", "--grace=1s", f.toString()},
      {"run", "--var", "who=x", "--var", "code=4", "--jobs=1", "--", f.toString()},
      {"run", "--timeout", "never", "--var", "who=x", f.toString()},
      {"run", "-j", "0", "--var", "who=x", f.toString()},
    };
    for (String[] line : lines) {
      Outcome a = fast(line);
      Outcome b = picocli(line);
      assertThat(a.code()).as(String.join(" ", line)).isNotNull().isEqualTo(b.code());
      assertThat(a.out()).isEqualTo(b.out());
      assertThat(a.err().replaceAll("\\d+\\.\\d\\ds", "T"))
          .isEqualTo(b.err().replaceAll("\\d+\\.\\d\\ds", "T"));
    }
  }

  @Test
  void anythingElseGoesToPicocli() {
    assertThat(fast("run", "--help").code()).isNull();
    assertThat(fast("run", "--fail-fast", "x.yaml").code()).isNull();
    assertThat(fast("run", "-j4", "x.yaml").code()).isNull();
    assertThat(fast("run", "--var", "novalue", "x.yaml").code()).isNull();
    assertThat(fast("run", "-q").code()).isNull();
    assertThat(fast("check", "x.yaml").code()).isNull();
  }
}
