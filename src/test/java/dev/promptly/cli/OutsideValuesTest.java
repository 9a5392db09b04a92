package dev.promptly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --var-file and --secret (issue 19), through the command line with real children. */
class OutsideValuesTest {
  @TempDir
  Path dir;

  private record Out(int code, String out, String err) {
  }

  private static Out promptly(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Out(code, out.toString(), err.toString());
  }

  private Path dialogue() throws IOException {
    Path f = dir.resolve("d.yaml");
    Files.writeString(f, """
        command: [cat]
        steps:
          - sendline: "${host} ${port} ${token}"
          - expect: "db1 5432 "
          - close: stdin
          - expect: eof
        """);
    return f;
  }

  private Path file(String name, String text, String mode) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void varFilesGiveValuesThatVarOverridesAndASecretFileIsMasked() throws IOException {
    Path d = dialogue();
    Path env = file("vars.env", "# database\nexport host=db0\nport=\"5432\"\nunused=1\n",
        "rw-r--r--");
    Path yaml = file("more.yaml", "host: db9\n", "rw-r--r--");
    Path token = file("token", "tok-s3cr3t-9\n", "rw-------");
    Out r = promptly("run", "--var-file", env.toString(), "--var-file", yaml.toString(),
        "--var", "host=db1", "--secret", "token=@" + token, d.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("db1 5432 ******").doesNotContain("tok-s3cr3t-9");
  }

  @Test
  void aSecretFileOthersCanReadIsRefusedAndSoIsAskingWithoutATerminal() throws IOException {
    Path d = dialogue();
    Path token = file("token", "tok-s3cr3t-9\n", "rw-r--r--");
    Out open = promptly("run", "--var", "host=db1", "--var", "port=5432", "--secret",
        "token=@" + token, d.toString());
    assertThat(open.code()).isEqualTo(2);
    assertThat(open.err()).contains("must be private to you (chmod 600 " + token + ")");
    Out asked = promptly("run", "--var", "host=db1", "--var", "port=5432", "--secret", "token",
        d.toString());
    assertThat(asked.code()).isEqualTo(2);
    assertThat(asked.err()).contains("--secret token asks on the terminal, and there is none");
    Out bad = promptly("run", "--var-file", file("bad.env", "host db1\n", "rw-------").toString(),
        d.toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("bad.env:1:1: expected NAME=VALUE");
  }

  @Test
  void checkTakesVarFilesToo() throws IOException {
    Path d = dialogue();
    Path env = file("vars.env", "host=db1\nport=5432\ntoken=t\n", "rw-r--r--");
    assertThat(promptly("check", d.toString()).code()).isEqualTo(2);
    Out r = promptly("check", "--var-file", env.toString(), d.toString());
    assertThat(r.code()).as(r.err()).isZero();
  }
}
