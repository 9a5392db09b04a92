package dev.promptly.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.promptly.api.RunOptions;
import dev.promptly.cli.PromptlyCommand;
import dev.promptly.engine.TestRuns;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What a dialogue can never make promptly do. */
class SafetyTest {
  @TempDir
  Path dir;

  @Test
  void noShellUnlessAskedFor() throws Exception {
    Path marker = dir.resolve("marker");
    String yaml = """
        command: "echo a; touch %s | cat $(touch %s) `touch %s` && touch %s"
        steps:
          - expect: "a; touch %s | cat $(touch %s) `touch %s` && touch %s\\n"
          - expect: eof
        """.formatted(marker, marker, marker, marker, marker, marker, marker, marker);
    RunResult r = TestRuns.runOne(dir, yaml);
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(marker).doesNotExist();
    // The same string with shell: true is a shell command, as asked.
    RunResult sh = TestRuns.runOne(dir, """
        shell: true
        command: "echo a; touch %s"
        steps:
          - expect: "a\\n"
          - expect: eof
        """.formatted(marker));
    assertThat(sh.passed()).as(sh.failure()).isTrue();
    assertThat(marker).exists();
  }

  @Test
  void aSubstitutedValueIsNeverResplit() {
    String hostile = "two words 'quoted' \"double\" $(touch x) ; `id` | * \\ ${HOME}";
    // As an argv item and inside a command string: either way exactly one argument.
    for (String command : List.of("[printf, '[%s]\\n', \"${v}\"]", "\"printf '[%s]\\\\n' ${v}\"")) {
      RunResult r = TestRuns.runOne(dir, """
          command: %s
          steps:
            - expect: "[${v}]\\n"
            - expect: eof
          """.formatted(command), new RunOptions().putVar("v", hostile));
      assertThat(r.passed()).as(command + ": " + r.failure()).isTrue();
      assertThat(r.bytesRead()).as(command).isEqualTo(hostile.length() + 3);
    }
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void withAShellAValueIsDataNeverShellCode() {
    Path marker = dir.resolve("marker");
    String hostile = "a\" ; touch " + marker + " ; echo \"$(touch " + marker + ") `touch "
        + marker + "` ${HOME}";
    RunResult r = TestRuns.runOne(dir, """
        shell: true
        command: printf '<%s>' "${v}"
        steps:
          - expect: "<${v}>"
          - expect: eof
        """, new RunOptions().putVar("v", hostile));
    assertThat(r.passed()).as(r.failure()).isTrue();
    assertThat(r.bytesRead()).isEqualTo(hostile.length() + 2);
    assertThat(marker).doesNotExist();
  }

  @Test
  void secretsAndTheEnvironmentNeverReachTheLogs() {
    String secret = "s3cr3t-Pw-4711";
    String envValue = "env-value-0815-tok";
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Level was = root.getLevel();
    // Everything at TRACE into the list only (the console would get Netty's chatter).
    var console = root.getAppender("STDERR");
    if (console != null) {
      root.detachAppender(console);
    }
    root.addAppender(logs);
    root.setLevel(Level.TRACE);
    List<String> shown = new CopyOnWriteArrayList<>();
    RunResult r;
    try {
      Path f = TestRuns.write(dir, "secret", """
          command: [python3, -c, "import os; p = input('Password: '); print('got', p, os.environ['API_TOKEN'])"]
          env: {API_TOKEN: "%s"}
          vars: {pw: "%s"}
          secret: [pw]
          steps:
            - expect: "Password: "
              sendline: "${pw}"
            - expect: "never written"
          """.formatted(envValue, secret));
      r = TestRuns.run(f, new RunOptions().setTimeout(Duration.ofSeconds(1))
          .setGrace(Duration.ofMillis(200)), new RunObserver() {
            @Override
            public void output(String run, byte[] raw, String text) {
              shown.add(text);
            }

            @Override
            public void sent(String run, String text, boolean echoed) {
              shown.add(text);
            }
          }).get(0);
    } finally {
      root.setLevel(was);
      root.detachAppender(logs);
      if (console != null) {
        root.addAppender(console);
      }
    }
    assertThat(r.passed()).isFalse();
    // The child printed both back: the report shows the secret masked.
    assertThat(r.failure()).contains("got ******").doesNotContain(secret);
    assertThat(String.join("", shown)).contains("******").doesNotContain(secret);
    assertThat(logs.list).as("events logged at TRACE during the run").isNotEmpty();
    assertThat(logs.list).allSatisfy(e -> {
      String all = e.getFormattedMessage() + " " + e.getMDCPropertyMap() + " "
          + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
      assertThat(all).doesNotContain(secret).doesNotContain(envValue);
    });
  }

  @Test
  void yamlBuildsNoTypes() throws Exception {
    Path marker = dir.resolve("pwned");
    Path f = TestRuns.write(dir, "tags", """
        command: !!java.lang.ProcessBuilder [touch, %s]
        name: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://localhost:1/"]]]]
        steps: []
        """.formatted(marker));
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(new String[] {"check", f.toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(code).isEqualTo(PromptlyCommand.BAD_INPUT);
    assertThat(err.toString()).contains(f + ":1:10: tag '!!java.lang.ProcessBuilder' is not "
        + "supported").contains(f + ":2:7: tag '!!javax.script.ScriptEngineManager'");
    assertThat(marker).doesNotExist();
    assertThat(Files.list(dir)).hasSize(1);
  }
}
