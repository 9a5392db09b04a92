package dev.promptly.cli;

import static dev.promptly.cli.Cli.promptly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptly.engine.TestRuns;
import dev.promptly.report.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promises at the edges (issue 14): what the user sees of a run and what lands on disk, with
 * real children and real files.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EdgesTest {
  @TempDir
  Path dir;


  /** Every line of the live view starts with the run's prefix and holds no control character. */
  private static void assertClean(String out, String run) {
    assertThat(out).isNotEmpty();
    for (String line : out.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      assertThat(line).as("a line of the live view").startsWith("[" + run + "] ");
      assertThat(line.chars().filter(c -> c < 0x20 && c != '\t').count())
          .as("control characters in %s", line.replace("\u001b", "ESC").replace("\r", "CR"))
          .isZero();
    }
  }

  @Test
  void theLiveViewShowsTextNeverTheChildsTerminalControls() throws Exception {
    Path file = TestRuns.write(dir, "controls", """
        name: controls
        command: [python3, -c, "import sys; sys.stdout.write('\\\\x1b]0;owned title\\\\x07\\\\x1b[2J\\\\x1b[Hstart\\\\n'
          '10%\\\\r50%\\\\r100% done\\\\n\\\\x1b[31mred\\\\x1b[0m text\\\\n\\\\x1b[?2004l\\\\rafter paste\\\\n'
          'ab\\\\bc\\\\x07\\\\n')"]
        steps:
          - expect: eof
        """);
    Cli.Outcome o = promptly("run", file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertClean(o.out(), "controls");
    assertThat(o.out()).contains("[controls] start\n", "[controls] 100% done\n",
        "[controls] red text\n", "[controls] after paste\n", "[controls] ac\n")
        .doesNotContain("owned title").doesNotContain("10%");
  }

  /** Real readline programs on a pty, with a TERM that makes them use their escape sequences. */
  @Test
  void readlineProgramsOnAPtyShowCleanLines() throws Exception {
    Path file = TestRuns.write(dir, "repl", """
        name: py
        pty: true
        env: {TERM: xterm-256color, PYTHONSTARTUP: ""}
        command: [python3, -q]
        strip-ansi: true
        steps:
          - expect: ">>> "
            sendline: "6 * 7"
          - expect: "42"
          - expect: ">>> "
            sendline: "print('x' * 3)"
          - expect: "xxx"
          - expect: ">>> "
            send: "\\x04"
          - expect: eof
        """);
    Cli.Outcome o = promptly("run", file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertClean(o.out(), "py");
    assertThat(o.out()).contains("[py] 42\n").contains("[py] xxx\n");
  }

  @Test
  void aWaitingPromptIsShownAfterAShortIdleTime() throws Exception {
    Path file = TestRuns.write(dir, "idle", """
        name: idle
        command: [sh, -c, "printf 'Password: '; sleep 1.5; echo done"]
        steps:
          - expect: "done"
          - expect: eof
        """);
    Cli.Outcome o = promptly("run", file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    // Shown while it waited, then again complete.
    assertThat(o.out()).contains("[idle] Password: \n").contains("[idle] Password: done\n");
  }

  @Test
  void aStuckRunsTranscriptCanBeTailed() throws Exception {
    Path file = TestRuns.write(dir, "stuck", """
        name: stuck
        command: [sh, -c, "printf 'Login: '; exec sleep 30"]
        steps:
          - expect: "Password: "
            timeout: 20s
        """);
    Path transcripts = dir.resolve("t");
    CompletableFuture<Cli.Outcome> run = CompletableFuture.supplyAsync(() -> promptly("run", "-q",
        "--grace", "200ms", "--transcript", transcripts.toString(), file.toString()));
    Path out = transcripts.resolve("stuck.out");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String seen = "";
    while (System.nanoTime() < end && !seen.contains("Login: ")) {
      seen = Files.exists(out) ? Files.readString(out) : "";
      Thread.sleep(20);
    }
    assertThat(run).isNotDone();
    assertThat(seen).isEqualTo("Login: ");
    assertThat(Files.readString(transcripts.resolve("stuck.log"))).contains("start pid");
    assertThat(run.get(60, TimeUnit.SECONDS).code()).isEqualTo(1);
  }

  private Path marker(String name) {
    return TestRuns.write(dir, name, """
        name: %s
        command: [sh, -c, "touch %s"]
        steps:
          - expect: eof
        """.formatted(name, dir.resolve(name + ".ran")));
  }

  @Test
  void aSymlinkPlantedWhereATranscriptGoesIsRefusedBeforeAnythingRuns() throws Exception {
    Path file = marker("victim");
    Path transcripts = Files.createDirectories(dir.resolve("t"));
    Path precious = Files.writeString(dir.resolve("precious.txt"), "keep me\n");
    Files.createSymbolicLink(transcripts.resolve("victim.out"), precious);
    Cli.Outcome o = promptly("run", "--transcript", transcripts.toString(), file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("victim.out: it is a symbolic link, not a regular file");
    assertThat(Files.readString(precious)).isEqualTo("keep me\n");
    assertThat(dir.resolve("victim.ran")).doesNotExist();
  }

  @Test
  void aFifoPlantedWhereATranscriptGoesIsRefusedNotOpened() throws Exception {
    Path file = marker("fifo");
    Path transcripts = Files.createDirectories(dir.resolve("t"));
    Path fifo = transcripts.resolve("fifo.log");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    long t0 = System.nanoTime();
    Cli.Outcome o = promptly("run", "--transcript", transcripts.toString(), file.toString());
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("fifo.log: it is a FIFO, socket or device");
    assertThat(dir.resolve("fifo.ran")).doesNotExist();
  }

  @Test
  void reportPathsAreCheckedBeforeAnyChildStarts() throws Exception {
    Path file = marker("early");
    Path folder = Files.createDirectories(dir.resolve("a-folder"));
    Cli.Outcome o = promptly("run", "--json", folder.toString(), file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("it is a folder").contains("nothing was run");
    o = promptly("run", "--junit", "/proc/promptly-cannot/junit.xml", file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("cannot create /proc/promptly-cannot/junit.xml");
    Path planted = dir.resolve("planted.xml");
    Files.createSymbolicLink(planted, dir.resolve("precious.txt"));
    o = promptly("run", "--junit", planted.toString(), file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(dir.resolve("early.ran")).doesNotExist();
  }

  /** A report whose writing fails half-way leaves the previous one whole, and no temporary file. */
  @Test
  void aFailedReportWriteLeavesThePreviousReport() throws Exception {
    Path report = dir.resolve("report.json");
    OwnerOnly.replace(report, os -> os.write("{\"good\": true}\n".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> OwnerOnly.replace(report, os -> {
      os.write("{\"half".getBytes(StandardCharsets.UTF_8));
      throw new IOException("No space left on device");
    })).hasMessageContaining("No space left");
    assertThat(Files.readString(report)).isEqualTo("{\"good\": true}\n");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("report.json");
    }
    // Written through the command, a report replaces the old one whole.
    Path file = marker("ok");
    Cli.Outcome o = promptly("run", "--json", report.toString(), file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(Files.readString(report)).contains("\"ok\"").doesNotContain("good");
  }

  /**
   * Every planned run is in the reports, read by a validating JUnit parser and the JSON schema:
   * runs --fail-fast never started are skipped, a program that cannot start is an error, a
   * timed-out step has its real time, what was sent is in system-out (masked).
   */
  @Test
  void reportsCountEveryRunInTheFormsCiToolsRead() throws Exception {
    Path file = TestRuns.write(dir, "suite.v2", """
        dialogues:
          - name: missing
            command: [promptly-no-such-program]
            steps:
              - expect: eof
          - name: slow
            secret: [pw]
            vars: {pw: "Sekrit-77"}
            command: [sh, -c, "printf 'Password: '; read p; echo got it; exec sleep 30"]
            steps:
              - expect: "Password: "
                sendline: "${pw}"
              - expect: "never printed"
                timeout: 700ms
          - name: later-1
            command: [echo, hi]
            steps:
              - expect: eof
          - name: later-2
            command: [echo, hi]
            steps:
              - expect: eof
        """);
    Path junit = dir.resolve("junit.xml");
    Path json = dir.resolve("report.json");
    Cli.Outcome o = promptly("run", "-j", "1", "--fail-fast", "--grace", "200ms", "--junit",
        junit.toString(), "--json", json.toString(), file.toString());
    assertThat(o.code()).as(o.err()).isEqualTo(1);
    org.w3c.dom.Document doc = ReportsTest.validateJunit(junit);
    org.w3c.dom.NodeList cases = doc.getElementsByTagName("testcase");
    assertThat(cases.getLength()).isEqualTo(4);
    org.w3c.dom.Element missing = (org.w3c.dom.Element) cases.item(0);
    assertThat(missing.getElementsByTagName("error").getLength()).isEqualTo(1);
    assertThat(missing.getElementsByTagName("failure").getLength()).isZero();
    assertThat(missing.getAttribute("classname")).doesNotContain(".")
        .endsWith("suite_v2");
    for (int i = 1; i < 4; i++) {
      org.w3c.dom.Element c = (org.w3c.dom.Element) cases.item(i);
      assertThat(c.getElementsByTagName("skipped").getLength()).as(c.getAttribute("name"))
          .isEqualTo(1);
    }
    // --fail-fast stopped after the first failure: the run that cannot start.
    com.fasterxml.jackson.databind.JsonNode report =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
    assertThat(ReportsTest.validateJson(report)).isEmpty();
    assertThat(report.at("/counts/runs").asInt()).isEqualTo(4);
    assertThat(report.at("/counts/errors").asInt()).isEqualTo(1);
    assertThat(report.at("/runs/0/outcome").asText()).isEqualTo("error");
    assertThat(report.at("/runs/3/started").asBoolean()).isFalse();
    assertThat(report.at("/runs/3/outcome").asText()).isEqualTo("skipped");
  }

  @Test
  void aTimedOutStepReportsItsRealTimeAndSystemOutShowsWhatWasSent() throws Exception {
    Path file = TestRuns.write(dir, "slow", """
        name: slow
        secret: [pw]
        vars: {pw: "Sekrit-77"}
        command: [sh, -c, "printf 'Password: '; read p; echo got it; exec sleep 30"]
        steps:
          - expect: "Password: "
            sendline: "${pw}"
          - expect: "never printed"
            timeout: 700ms
        """);
    Path junit = dir.resolve("junit.xml");
    Path json = dir.resolve("report.json");
    Cli.Outcome o = promptly("run", "--grace", "200ms", "--junit", junit.toString(), "--json",
        json.toString(), file.toString());
    assertThat(o.code()).isEqualTo(1);
    com.fasterxml.jackson.databind.JsonNode report =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
    assertThat(report.at("/runs/0/steps/1/passed").asBoolean()).isFalse();
    assertThat(report.at("/runs/0/steps/1/elapsedMs").asLong()).isBetween(650L, 5000L);
    String systemOut = ReportsTest.validateJunit(junit).getElementsByTagName("system-out")
        .item(0).getTextContent();
    assertThat(systemOut).contains("Password: ******").contains("got it")
        .doesNotContain("Sekrit");
  }

  @Test
  void aFolderRunsEveryDialogueBelowItAndSameNamesStayDistinct() throws Exception {
    Path suite = Files.createDirectories(dir.resolve("suite"));
    for (String sub : new String[] {"web", "db", "db/replica"}) {
      Path folder = Files.createDirectories(suite.resolve(sub));
      TestRuns.write(folder, "deploy", """
          command: [echo, "%s"]
          steps:
            - expect: "%s"
          """.formatted(sub, sub));
    }
    Files.writeString(suite.resolve("web/notes.txt"), "not a dialogue\n");
    Files.writeString(suite.resolve("web/extra.yml"), "command: [true]\nsteps: []\n");
    assertThat(promptly("check", suite.toString()).code()).isZero();
    Path json = dir.resolve("r.json");
    Cli.Outcome o = promptly("run", "--json", json.toString(), suite.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.err()).contains("4 passed");
    String report = Files.readString(json);
    assertThat(report).contains("\"web/deploy\"", "\"db/deploy\"", "\"replica/deploy\"",
        "\"extra\"");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThat(promptly("run", empty.toString()).err()).contains("holds no dialogue files");
  }

  @Test
  void matrixValueFilesSkipCommentsAndBlankLines() throws Exception {
    Files.writeString(dir.resolve("hosts.txt"), "# production hosts\nweb1\n\n  # old:\nweb2\n");
    Path file = TestRuns.write(dir, "m", """
        name: m
        matrix: {host: {file: hosts.txt}}
        command: [echo, "${host}"]
        steps:
          - expect: "${host}"
        """);
    Cli.Outcome o = promptly("run", file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.err()).contains("m[host=web1]").contains("m[host=web2]").contains("2 passed")
        .doesNotContain("#");
  }

  @Test
  void parserMessagesSayWhatToFix() throws Exception {
    Path file = TestRuns.write(dir, "colon", """
        command: [cat]
        steps:
          - expect: Password: x
        """);
    Cli.Outcome o = promptly("check", file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains(file + ":3:21: a ':' where YAML does not expect one: quote a"
        + " value that holds ': '").doesNotContain("mapping values");
    o = promptly("run", "--var", "oops", file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("--var takes NAME=VALUE").doesNotContain("option option");
  }

  /** An interrupted run says where it stood, in the shape of a timeout failure. */
  @Test
  void anInterruptedRunSaysWhichStepWaitedForWhatAndTheLastLines() throws Exception {
    Path file = TestRuns.write(dir, "login", """
        name: login
        command: [sh, -c, "echo welcome to host9; printf 'Login: '; exec sleep 30"]
        steps:
          - expect: "Login: "
            sendline: "alice"
          - expect: "Password: "
            timeout: 1m
        """);
    var loaded = dev.promptly.dsl.DialogueLoader.load(file, java.util.Map.of());
    var seen = new CompletableFuture<Void>();
    try (dev.promptly.engine.Engine engine = dev.promptly.engine.Engine.create()) {
      var results = engine.run(loaded.dialogues(), TestRuns.settings(
          new dev.promptly.api.RunOptions().setGrace(Duration.ofMillis(200))),
          new dev.promptly.report.RunObserver() {
            @Override
            public void sent(String run, String shown, boolean echoed) {
              seen.complete(null);
            }
          });
      seen.get(30, TimeUnit.SECONDS);
      engine.stopAll("interrupted: promptly received SIGINT");
      var r = results.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).get(0);
      assertThat(r.failure()).startsWith("interrupted: promptly received SIGINT\nstep 2 ("
          + file + ":6:5): waiting ").contains("(limit 1m) for \"Password: \"")
          .contains("welcome to host9");
    }
  }

  /** On a pty, "\r\n" is matched as "\n", yet byte offsets still point into the transcript. */
  @Test
  void byteOffsetsOnAPtyPointIntoTheTranscript() throws Exception {
    Path file = TestRuns.write(dir, "offsets", """
        name: offsets
        pty: true
        command: [sh, -c, "printf 'one\\ntwo\\nthree\\nprompt> '; read x; echo got $x"]
        steps:
          - expect: "two\\nthree"
          - expect: "prompt> "
            sendline: "yes"
          - expect: "got yes"
          - expect: eof
        """);
    Path transcripts = dir.resolve("t");
    Path json = dir.resolve("r.json");
    Cli.Outcome o = promptly("run", "--transcript", transcripts.toString(), "--json",
        json.toString(), file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    byte[] out = Files.readAllBytes(transcripts.resolve("offsets.out"));
    com.fasterxml.jackson.databind.JsonNode steps =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile()).at("/runs/0/steps");
    String[] expected = {"two\r\nthree", "prompt> ", "got yes"};
    for (int k = 0; k < 3; k++) {
      long at = steps.get(k).get("byteOffset").asLong();
      assertThat(at).as("step %d", k + 1).isNotNegative();
      String there = new String(out, (int) at, Math.min(out.length - (int) at, expected[k].length()),
          StandardCharsets.UTF_8);
      assertThat(there).as("step %d at byte %d", k + 1, at).isEqualTo(expected[k]);
    }
  }
}
