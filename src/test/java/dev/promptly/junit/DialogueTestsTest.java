package dev.promptly.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.promptly.engine.TestRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** A folder of dialogue files as dynamic tests: one per run, failures with the CLI's words. */
class DialogueTestsTest {
  static volatile Path folder;

  @TempDir
  Path dir;

  @Test
  void oneTestPerRunFailuresCarryTheCliMessages() throws Exception {
    TestRuns.write(dir, "a-echo", """
        name: echo
        command: [sh, -c, 'read x; echo "got $x"']
        matrix: {text: [one, two]}
        steps:
          - sendline: "${text}"
          - expect: "got ${text}"
        """);
    Files.createDirectories(dir.resolve("sub"));
    TestRuns.write(dir.resolve("sub"), "b-late", """
        command: [sh, -c, "echo hello; sleep 30"]
        steps:
          - expect: bye
            timeout: 200ms
        """);
    Path bad = TestRuns.write(dir, "c-bad", """
        command: [sh]
        steps:
          - expect: {regex: '('}
          - sendlin: x
        """);
    Files.writeString(dir.resolve("notes.txt"), "not a dialogue");

    folder = dir;
    Events tests;
    try {
      tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Folder.class))
          .execute().testEvents();
    } finally {
      folder = null;
    }
    tests.assertStatistics(s -> s.started(4).succeeded(2).failed(2));
    Map<String, String> failures = tests.failed().stream().collect(Collectors.toMap(
        e -> e.getTestDescriptor().getDisplayName(), DialogueTestsTest::message));
    assertThat(tests.succeeded().stream().map(e -> e.getTestDescriptor().getDisplayName()))
        .containsExactly("echo[text=one] (a-echo.yaml)", "echo[text=two] (a-echo.yaml)");
    assertThat(failures.get("b-late (b-late.yaml)"))
        .startsWith("b-late failed (killed by SIGTERM)\nstep 1 (")
        .contains("b-late.yaml:3:5): timed out after ")
        .contains("(limit 200ms) waiting for \"bye\"")
        .contains("last lines received:\n  | hello");
    assertThat(failures.get("c-bad.yaml"))
        .contains(bad + ":3:21: bad regex")
        .contains(bad + ":4:5: ")
        .endsWith("2 error(s); nothing was run");
  }

  @Test
  void aMissingOrEmptyFolderIsAnErrorNotZeroTests() {
    assertThatThrownBy(() -> DialogueTests.from(dir.resolve("missing")))
        .hasMessageStartingWith("no such folder: ");
    assertThatThrownBy(() -> DialogueTests.from(dir))
        .hasMessageStartingWith("no dialogue files (*.yaml, *.yml) in ");
  }

  private static String message(Event e) {
    TestExecutionResult r = e.getPayload(TestExecutionResult.class).orElseThrow();
    return r.getThrowable().map(Throwable::getMessage).orElse("");
  }

  /** Run only by the test kit above. */
  static class Folder {
    @TestFactory
    Stream<DynamicTest> dialogues() {
      Assumptions.assumeTrue(folder != null);
      return DialogueTests.from(folder);
    }
  }
}
