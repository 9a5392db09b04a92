package dev.promptly.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.cli.PromptlyCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code expect: {screen: ...}} drives dialog's full-screen menu by what the screen shows. */
class ScreenStepTest {
  private static final String MENU = "command: [sh, -c, 'choice=$(dialog --stdout --menu \"Pick a"
      + " fruit\" 12 40 3 apple Red banana Yellow cherry Dark); echo \"chose=$choice\"']\n";

  @TempDir
  Path dir;

  record Outcome(int code, String out, String err) {
  }

  private Outcome run(String name, String yaml) throws Exception {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, yaml);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(new String[] {"run", "--grace", "500ms",
        "--transcript", dir.resolve("t").toString(), f.toString()},
        new PrintWriter(out), new PrintWriter(err));
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void aDialogMenuIsDrivenByItsScreenAndByteExpectsGoOnAfter() throws Exception {
    Outcome o = run("menu", "name: menu\npty: true\nsize: 24x80\nenv: {TERM: xterm}\n" + MENU + """
        timeout: 30s
        steps:
          - expect: {screen: "Pick a fruit"}
          - expect: {screen: {regex: 'banana\\s+Yellow\\s'}}
            send: "c"
          - expect: {screen: {regex: '<\\s*OK\\s*>'}}
            send: "\\r"
          - expect: {regex: 'chose=(?<fruit>\\w+)'}
          - expect: eof
        """);
    assertThat(o.code()).as(o.out() + o.err()).isEqualTo(PromptlyCommand.PASSED);
    assertThat(o.out()).contains("chose=cherry");
    // A byte-stream literal would have matched the menu's drawing, not this line: the screen step
    // found "Pick a fruit" only once it was rendered.
  }

  @Test
  void aScreenStepThatFailsShowsTheScreenAsText() throws Exception {
    Outcome o = run("nomenu", "name: nomenu\npty: true\nsize: 24x80\nenv: {TERM: xterm}\n"
        + MENU + """
        steps:
          - expect: {screen: "Pick a vegetable"}
            timeout: 2s
        """);
    assertThat(o.code()).as(o.out() + o.err()).isEqualTo(PromptlyCommand.FAILED);
    assertThat(o.err()).contains("waiting for screen \"Pick a vegetable\"")
        .contains("the screen:").containsPattern("banana +Yellow");
  }

  @Test
  void aScreenStepNeedsAPty() throws Exception {
    Path f = dir.resolve("pipes.yaml");
    Files.writeString(f, "name: pipes\ncommand: [cat]\nsteps:\n  - expect: {screen: hi}\n");
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(new String[] {"check", f.toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(code).isEqualTo(PromptlyCommand.BAD_INPUT);
    assertThat(err.toString()).contains("pipes.yaml:4:").contains("needs pty: true");
  }

  @Test
  void aStepMixingScreenAndBytePatternsIsRefusedByCheck() throws Exception {
    Path f = dir.resolve("mixed.yaml");
    Files.writeString(f, """
        name: mixed
        pty: true
        command: [cat]
        steps:
          - expect:
              - match: "$ "
              - match: {screen: Menu}
        """);
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(new String[] {"check", f.toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(code).isEqualTo(PromptlyCommand.BAD_INPUT);
    assertThat(err.toString()).contains("mixed.yaml:7:9:")
        .contains("a screen pattern must be the only pattern of its step");
  }

  @Test
  void theTranscriptKeepsTheFinalScreenOfAPtyRun() throws Exception {
    Path f = dir.resolve("painted.yaml");
    Files.writeString(f, """
        name: painted
        pty: true
        size: 6x40
        command: [printf, '\\033[2J\\033[Htop line\\033[5;3Hfinal words\\033[1;5HXX']
        steps:
          - expect: {screen: final words}
          - expect: eof
        """);
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(new String[] {"run", "-q", "--transcript",
        dir.resolve("t").toString(), f.toString()}, new PrintWriter(new StringWriter()),
        new PrintWriter(err));
    assertThat(code).as(err.toString()).isEqualTo(PromptlyCommand.PASSED);
    Path screen = dir.resolve("t/painted.screen");
    assertThat(screen).hasContent("top XXne\n\n\n\n  final words\n");
  }
}
