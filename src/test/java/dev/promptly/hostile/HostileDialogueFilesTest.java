package dev.promptly.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.promptly.cli.PromptlyCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile dialogue files through the command line, as a user meets them: each is reported as
 * {@code FILE:LINE:COLUMN: message} with exit 2, quickly, never as a stack trace, and `run`
 * starts nothing.
 */
class HostileDialogueFilesTest {
  static final Duration QUICK = Duration.ofSeconds(5);

  @TempDir
  Path dir;

  /** What the command line answered. */
  record Answer(int code, String out, String err) {
  }

  static Answer cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = assertTimeoutPreemptively(QUICK,
        () -> PromptlyCommand.execute(args, new PrintWriter(out), new PrintWriter(err)));
    return new Answer(code, out.toString(), err.toString());
  }

  private Path file(String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  private Path file(String name, String text) throws IOException {
    return file(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * check and run both refuse the file with exit 2: every line but the count is
   * FILE:LINE:COLUMN: message, no exception shows, and {@code expected} is among the lines
   * (after the file's name).
   */
  static List<String> refused(Path f, String expected) {
    Answer check = cli("check", f.toString());
    assertRefusal(f, check);
    Answer run = cli("run", "-q", f.toString());
    assertRefusal(f, run);
    assertThat(run.err()).contains("nothing was run");
    List<String> problems = problemLines(check.err());
    assertThat(problems).as(check.err()).contains(f + ":" + expected);
    return problems;
  }

  static void assertRefusal(Path f, Answer a) {
    assertThat(a.code()).as(a.err()).isEqualTo(PromptlyCommand.BAD_INPUT);
    assertNoStackTrace(a.err());
    List<String> problems = problemLines(a.err());
    assertThat(problems).as(a.err()).isNotEmpty().allSatisfy(line ->
        assertThat(line).matches(Pattern.quote(f.toString()) + ":\\d+:\\d+: [^\\n]+"));
  }

  static void assertNoStackTrace(String err) {
    assertThat(err).doesNotContain("Exception").doesNotContain("\tat ")
        .doesNotContain("internal error").doesNotContain("Error:");
  }

  /** Every line of stderr but the last ("N error(s); ..."). */
  static List<String> problemLines(String err) {
    List<String> lines = err.lines().toList();
    assertThat(lines.get(lines.size() - 1)).matches("\\d+ error\\(s\\); nothing (to run|was run)");
    return lines.subList(0, lines.size() - 1);
  }

  @Test
  void aliasBomb() throws IOException {
    StringBuilder y = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    String prev = "a";
    for (char c = 'b'; c <= 'z'; c++) {
      y.append(c).append(": &").append(c).append(" [");
      for (int k = 0; k < 9; k++) {
        y.append(k == 0 ? "" : ", ").append('*').append(prev);
      }
      y.append("]\n");
      prev = String.valueOf(c);
    }
    y.append("command: [cat]\nsteps: *z\n");
    refused(file("bomb.yaml", y.toString()),
        "7:28: more than 50 aliases of lists or mappings: refused, as it may be an alias bomb");
  }

  @Test
  void aHundredMegabyteFile() throws IOException {
    Path f = dir.resolve("huge.yaml");
    ByteBuffer line = ByteBuffer.wrap(("# " + "x".repeat(1021) + "\n")
        .getBytes(StandardCharsets.US_ASCII));
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("command: [cat]\nsteps: []\n".getBytes(StandardCharsets.UTF_8)));
      for (int i = 0; i < 100 * 1024; i++) {
        ch.write(line.rewind());
      }
    }
    assertThat(Files.size(f)).isGreaterThan(100L * 1024 * 1024);
    long t0 = System.nanoTime();
    refused(f, "1:1: file too large (more than 10 MiB)");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(QUICK);
  }

  @Test
  void deepNesting() throws IOException {
    refused(file("deep.yaml", "command: [cat]\nsteps: []\nvars: "
        + "{a: ".repeat(5_000) + "}".repeat(5_000) + "\n"), "3:259: nested deeper than 64 levels");
    refused(file("deep-block.yaml", "command: [cat]\nsteps:\n" + blockNesting(200)),
        "66:129: nested deeper than 64 levels");
  }

  private static String blockNesting(int levels) {
    StringBuilder y = new StringBuilder();
    for (int i = 0; i < levels; i++) {
      y.append("  ".repeat(i + 1)).append("- \n");
    }
    return y.toString();
  }

  @Test
  void wrongTypes() throws IOException {
    List<String> p = refused(file("types.yaml", """
        command: {program: cat}
        timeout: [1s]
        pty: maybe
        exit: 300
        steps:
          - expect: {regex: [a]}
          - send: {text: x}
        """), "1:10: expected a string, got a mapping");
    assertThat(p).hasSize(6);
  }

  @Test
  void unknownKeys() throws IOException {
    refused(file("keys.yaml", """
        comand: [cat]
        steps:
          - expct: x
        """), "1:1: unknown key 'comand' (did you mean 'command'?)");
  }

  @Test
  void invalidRegex() throws IOException {
    List<String> p = refused(file("regex.yaml", """
        command: [cat]
        steps:
          - expect: {regex: 'a(b'}
        """), "3:21: bad regex: Unclosed group near index 3");
    assertThat(p).hasSize(1);
  }

  @Test
  void undefinedVariable() throws IOException {
    refused(file("var.yaml", """
        command: [cat]
        steps:
          - sendline: "hello ${nobody}"
        """), "3:15: undefined variable ${nobody}");
  }

  @Test
  void tabs() throws IOException {
    List<String> p = refused(file("tabs.yaml", "command: [cat]\nsteps:\n\t- expect: x\n"),
        "3:1: found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for "
            + "indentation) (while scanning for the next token)");
    assertThat(p).hasSize(1);
  }

  @Test
  void byteOrderMark() throws IOException {
    Path ok = file("bom-ok.yaml", "\uFEFFcommand: [cat]\nsteps: []\n");
    Answer a = cli("check", ok.toString());
    assertThat(a.code()).as(a.err()).isZero();
    refused(file("bom.yaml", "\uFEFFcomand: [cat]\nsteps: []\n"),
        "1:1: unknown key 'comand' (did you mean 'command'?)");
    // A mark inside the text is part of a key: the message shows it, not an invisible char.
    refused(file("bom2.yaml", "command: [cat]\nsteps: []\n\uFEFFname: x\n"),
        "3:1: unknown key '\\ufeffname' (did you mean 'name'?)");
  }

  @Test
  void bytesThatAreNotUtf8() throws IOException {
    byte[] head = "command: [cat]\nsteps:\n  - expect: ab".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = Arrays.copyOf(head, head.length + 3);
    bytes[head.length] = (byte) 0xc3; // a lead byte followed by no continuation
    bytes[head.length + 1] = '(';
    bytes[head.length + 2] = '\n';
    refused(file("latin.yaml", bytes), "3:15: not UTF-8: invalid byte 0xc3");
    // UTF-16 with its mark is not UTF-8 either.
    refused(file("utf16.yaml", "command: [cat]\n".getBytes(StandardCharsets.UTF_16)),
        "1:1: not UTF-8: invalid byte 0xfe");
  }

  @Test
  void endlessFilesAndNonFiles() throws IOException {
    refused(Path.of("/dev/zero"), "1:1: file too large (more than 10 MiB)");
    refused(dir, "1:1: the folder holds no dialogue files (*.yaml, *.yml)");
  }
}
