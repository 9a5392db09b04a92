package dev.promptly.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.cli.PromptlyCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * promptly driving promptly: a dialogue on a pty runs {@code promptly record -- python3 bank.py}
 * and types into it as a person would (a password with echo off included); the file it writes
 * passes {@code check} and, run against the same program, passes; the secret is in no file.
 */
class RecordTest {
  static final Path BANK = Path.of("dsl-examples/children/bank.py").toAbsolutePath();

  @TempDir
  Path dir;

  record Outcome(int code, String out, String err) {
  }

  static Outcome promptly(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Outcome(code, out.toString(), err.toString());
  }

  /** promptly in a JVM of its own, in {@code cwd}, with {@code env} added; output merged. */
  static Outcome jvm(Path cwd, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(javaCommand());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Outcome(p.exitValue(), out, "");
  }

  /** java -cp ... dev.promptly.cli.Main */
  static List<String> javaCommand() {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.promptly.cli.Main");
  }

  /** A YAML flow list of the words. */
  static String flow(List<String> words) {
    StringBuilder b = new StringBuilder("[");
    for (String w : words) {
      b.append(b.length() > 1 ? ", " : "").append('"')
          .append(w.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return b.append(']').toString();
  }

  @Test
  void aPersonsSessionBecomesADialogueThatPassesAgainstTheProgram() throws Exception {
    Files.copy(BANK, dir.resolve("bank.py"));
    List<String> record = new ArrayList<>(javaCommand());
    record.addAll(List.of("record", "-o", "out/bank.yaml", "--pty", "--", "python3", "bank.py"));
    Path person = dir.resolve("person.yaml");
    Files.writeString(person, """
        name: person
        pty: true
        timeout: 60s
        command: %s
        steps:
          - expect: "Name: "
          - sendline: alice
          - expect: "Password: "
          - sendline: open sesame
          - expect: {regex: '\\] 1> $'}
          - sendline: balance
          - expect: {regex: '\\] 2> $'}
          - sendline: quit
          - expect: "wrote"
          - expect: eof
        exit: 3
        """.formatted(flow(record)));
    Outcome o = promptly("run", "-q", person.toString());
    assertThat(o.code()).as(o.out() + o.err()).isEqualTo(PromptlyCommand.PASSED);

    Path file = dir.resolve("out/bank.yaml");
    Path cast = dir.resolve("out/bank.cast");
    String yaml = Files.readString(file);
    assertThat(yaml).contains("expect: \"Name: \"", "sendline: \"alice\"",
        "sendline: \"${env:PROMPTLY_SECRET_1}\"", "secret: true", "\\\\d+", "expect: eof",
        "exit: 3", "cwd: \"..\"").doesNotContain("open sesame");
    assertThat(Files.readString(cast)).contains("\"i\", \"alice\\n\"", "\"i\", \"******\\n\"")
        .doesNotContain("open sesame");
    for (Path p : List.of(file, cast)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .isEqualTo("rw-------");
    }

    Map<String, String> secret = Map.of("PROMPTLY_SECRET_1", "open sesame");
    Outcome checked = jvm(dir, secret, "check", file.toString());
    assertThat(checked.code()).as(checked.out()).isZero();
    // The pid in its prompts differs now: generalised, the prompts still match.
    Outcome ran = jvm(dir, secret, "run", file.toString());
    assertThat(ran.code()).as(yaml + ran.out()).isZero();
    assertThat(ran.out()).contains("PASS bank");
    Outcome wrong = jvm(dir, Map.of("PROMPTLY_SECRET_1", "guess"), "run", file.toString());
    assertThat(wrong.code()).as(wrong.out()).isEqualTo(PromptlyCommand.FAILED);
    assertThat(wrong.out()).doesNotContain("guess");
  }

  @Test
  void theRecordedExamplePassesWithItsSecretGiven() throws Exception {
    Outcome ran = jvm(Path.of("").toAbsolutePath(), Map.of("PROMPTLY_SECRET_1", "open sesame"),
        "run", "dsl-examples/person/bank.yaml");
    assertThat(ran.code()).as(ran.out()).isZero();
  }

  @Test
  void anExistingFileIsKeptUnlessForced() throws Exception {
    Path file = dir.resolve("mine.yaml");
    Files.writeString(file, "precious\n");
    Outcome o = promptly("record", "-o", file.toString(), "--", "true");
    assertThat(o.code()).isEqualTo(PromptlyCommand.BAD_INPUT);
    assertThat(o.err()).contains("mine.yaml exists").contains("--force");
    assertThat(file).hasContent("precious");

    Outcome forced = jvm(dir, Map.of(), "record", "-o", file.toString(), "--force", "--",
        "sh", "-c", "echo hello; exit 4");
    assertThat(forced.code()).as(forced.out()).isEqualTo(4);
    assertThat(Files.readString(file)).contains("command: [\"sh\", \"-c\", \"echo hello; exit 4\"]")
        .contains("expect: eof").contains("exit: 4").doesNotContain("pty:");
    assertThat(dir.resolve("mine.cast")).exists();
  }
}
