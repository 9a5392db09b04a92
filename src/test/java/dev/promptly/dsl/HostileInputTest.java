package dev.promptly.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class HostileInputTest {
  @TempDir
  Path dir;

  private List<String> problems(String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return problems(f);
  }

  private List<String> problems(String yaml) throws IOException {
    return problems("t.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> problems(Path f) {
    return DialogueLoader.load(f, Map.of()).problems().stream()
        .map(p -> p.pos().line() + ":" + p.pos().column() + ": " + p.message()).toList();
  }

  @Test
  void byteOrderMarkIsAccepted() throws IOException {
    assertThat(problems("\uFEFFcommand: [cat]\nsteps: []\n")).isEmpty();
    assertThat(problems("\uFEFFcomand: [cat]\nsteps: []\n"))
        .contains("1:1: unknown key 'comand' (did you mean 'command'?)");
  }

  @Test
  void tabsInIndentationAreReportedWhereTheyStand() throws IOException {
    assertThat(problems("command: [cat]\nsteps:\n\t- expect: x\n"))
        .singleElement().asString().startsWith("3:1: found character").contains("Do not use");
  }

  @Test
  void syntaxErrorsAreOneLineWithAPosition() throws IOException {
    List<String> p = problems("command: [cat\nsteps: []\nx: : :\n");
    assertThat(p).singleElement().asString().matches("\\d+:\\d+: [^\\n]+");
  }

  @Test
  @Timeout(10)
  void billionLaughsIsRefusedQuickly() throws IOException {
    StringBuilder y = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
        + "\"lol\",\"lol\",\"lol\"]\n");
    String prev = "a";
    for (char c = 'b'; c <= 'i'; c++) {
      y.append(c).append(": &").append(c).append(" [");
      for (int k = 0; k < 9; k++) {
        y.append(k == 0 ? "" : ",").append('*').append(prev);
      }
      y.append("]\n");
      prev = String.valueOf(c);
    }
    y.append("command: [cat]\nsteps: *i\n");
    long start = System.nanoTime();
    List<String> p = problems(y.toString());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    // The 51st alias stands in line 7 (9 per line from line 2), the 6th of that line.
    assertThat(p).containsExactly("7:23: more than 50 aliases of lists or mappings: refused, "
        + "as it may be an alias bomb");
  }

  @Test
  @Timeout(10)
  void aliasesUnderTheLimitCannotBlowUpTheWalk() throws IOException {
    // 5 levels of 10 aliases: 100,000 leaves if anything expanded it; steps refuse it at once.
    StringBuilder y = new StringBuilder("x: &l0 [a, b, c, d, e, f, g, h, i, j]\n");
    for (int level = 1; level <= 5; level++) {
      y.append("x").append(level).append(": &l").append(level).append(" [");
      for (int k = 0; k < 10; k++) {
        y.append(k == 0 ? "" : ", ").append("*l").append(level - 1);
      }
      y.append("]\n");
    }
    y.append("command: [cat]\nsteps: *l5\n");
    List<String> p = problems(y.toString());
    assertThat(p).isNotEmpty().hasSizeLessThanOrEqualTo(DialogueParser.MAX_PROBLEMS + 1);
  }

  @Test
  void recursiveStructuresAreJustWrongTypes() throws IOException {
    assertThat(problems("command: [cat]\nsteps: &s [*s]\n"))
        .containsExactly("2:8: expected a mapping (a step such as expect: or send:), got a list");
  }

  @Test
  void deepNestingIsRefused() throws IOException {
    String deep = "a: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";
    assertThat(problems(deep)).containsExactly("1:67: nested deeper than 64 levels");
  }

  @Test
  void invalidUtf8IsReportedAtItsLineAndColumn() throws IOException {
    byte[] head = "command: [cat]\nsteps:\n  - expect: Жab".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[head.length + 2];
    System.arraycopy(head, 0, bytes, 0, head.length);
    bytes[head.length] = (byte) 0xff;
    bytes[head.length + 1] = '\n';
    assertThat(problems("bad.yaml", bytes))
        .containsExactly("3:16: not UTF-8: invalid byte 0xff");
  }

  @Test
  void tagsOtherThanTheCoreOnesAreRefusedWhereTheyStand() throws IOException {
    assertThat(problems("""
        command: !!java.lang.ProcessBuilder [touch, /tmp/pwned]
        steps:
          - expect: !<tag:yaml.org,2002:java.lang.Runtime> x
          - send: !custom "y"
        """)).containsExactly(
        "1:10: tag '!!java.lang.ProcessBuilder' is not supported: dialogues are plain data "
            + "(allowed: !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)",
        "3:13: tag '!!java.lang.Runtime' is not supported: dialogues are plain data "
            + "(allowed: !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)",
        "4:11: tag '!custom' is not supported: dialogues are plain data "
            + "(allowed: !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)");
    // The core schema's tags, and the non-specific "!", are plain YAML.
    assertThat(problems("""
        command: !!seq [echo, !!str 42, ! "x"]
        name: !!str 007
        exit: !!int 0
        steps: []
        """)).isEmpty();
  }

  @Test
  void invisibleCharactersAreShownInMessages() throws IOException {
    // A stray byte-order mark or a bidi override in a key would make the message lie.
    assertThat(problems("command: [cat]\nsteps: []\n\uFEFFname: x\n"))
        .containsExactly("3:1: unknown key '\\ufeffname' (did you mean 'name'?)");
    assertThat(problems("command: [cat]\nsteps: []\nna\u202Eme\u200B: x\n"))
        .containsExactly("3:1: unknown key 'na\\u202eme\\u200b' (did you mean 'name'?)");
  }

  @Test
  void controlCharactersYamlForbidsAreReported() throws IOException {
    assertThat(problems("command: [cat]\nsteps: []\nname: a\u0001b\n"))
        .containsExactly("3:8: character U+0001 is not allowed in YAML");
  }

  @Test
  void tooLargeFileIsOneProblem() throws IOException {
    byte[] big = new byte[(int) YamlSource.MAX_BYTES + 1];
    java.util.Arrays.fill(big, (byte) '#');
    assertThat(problems("big.yaml", big)).containsExactly(
        "1:1: file too large (more than 10 MiB)");
  }

  @Test
  void unreadableFilesAreProblemsNotExceptions() {
    assertThat(problems(dir.resolve("missing.yaml")))
        .containsExactly("1:1: cannot read: no such file");
    assertThat(problems(dir)).singleElement().asString().startsWith("1:1: cannot read: ");
  }

  @Test
  void emptyFilesAndOtherShapes() throws IOException {
    assertThat(problems("")).containsExactly(
        "1:1: the file holds no dialogue (it needs at least 'command' and 'steps')");
    assertThat(problems("# only a comment\n")).hasSize(1);
    assertThat(problems("- a\n- b\n")).containsExactly(
        "1:1: expected a mapping (one dialogue) or 'dialogues:' with a list, got a list");
    assertThat(problems("command: [a]\nsteps: []\n---\ncommand: [b]\n"))
        .singleElement().asString().startsWith("3:1: ");
    assertThat(problems("? [a]\n: b\n")).isNotEmpty();
  }

  @Test
  void manyProblemsStopAtALimit() throws IOException {
    StringBuilder y = new StringBuilder("command: [cat]\nsteps:\n");
    for (int i = 0; i < 500; i++) {
      y.append("  - bogus: ").append(i).append('\n');
    }
    List<String> p = problems(y.toString());
    assertThat(p).hasSize(DialogueParser.MAX_PROBLEMS + 1);
    assertThat(p.get(p.size() - 1)).endsWith("too many problems; stopped here");
  }

  @Test
  void longUserTextIsShortenedInMessages() throws IOException {
    String key = "k".repeat(100_000);
    List<String> p = problems("command: [cat]\nsteps: []\n" + key + ": 1\n");
    assertThat(p).singleElement().asString().hasSizeLessThan(200);
  }
}
