package dev.promptly.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptly.engine.TestRuns;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The blocking facade in plain JUnit 5, against real children. */
class BlockingSessionTest {

  @Test
  void driveAReplStepByStep() {
    try (BlockingSession s = Promptly.blocking().spawn("python3", "-i", "-q")) {
      s.expect(">>> ");
      s.sendLine("print('Вы ввели', 6 * 7)");
      Match m = s.expect(Expectation.regex("Вы ввели (?<n>\\d+)"));
      assertThat(m.group("n")).isEqualTo("42");
      s.expect(">>> ");
      s.sendLine("raise SystemExit(5)");
      assertThat(s.exit()).isEqualTo(new Exit(5, 0));
    }
  }

  @Test
  void aFailedExpectThrowsTheCliMessageFromTheCallersThread() {
    try (BlockingSession s = Promptly.blocking().spawn("sh", "-c",
        "printf 'Welcome\\r\\n\\033[1mLogin: '; sleep 30")) {
      assertThatThrownBy(() -> s.expect(Duration.ofMillis(200), Expectation.literal("Password:")))
          .isInstanceOf(ExpectFailure.class)
          .hasMessageStartingWith("sh: timed out after ")
          .hasMessageContaining("(limit 200ms) waiting for \"Password:\"")
          .hasMessageContaining("last lines received:\n  | Welcome\n  | \\e[1mLogin: ")
          .satisfies(e -> assertThat(e.getStackTrace()).anyMatch(
              el -> el.getClassName().equals(BlockingSessionTest.class.getName())));
    }
  }

  @Test
  void aChildThatDoesNotExitInTimeIsNamedWithItsLastLines() {
    try (BlockingSession s = Promptly.blocking().spawn("sh", "-c", "echo working; sleep 30")) {
      s.expect("working");
      assertThatThrownBy(() -> s.exit(Duration.ofMillis(200)))
          .isInstanceOf(PromptlyException.class)
          .hasMessageContaining("was still running after 200ms")
          .hasMessageContaining("  | working");
    }
  }

  @Test
  void closeTerminatesTheProcessGroupAndReapsIt() throws Exception {
    long pid;
    try (BlockingSession s = Promptly.blocking().spawn("sh", "-c", "sleep 100 & echo $!; wait")) {
      pid = s.pid();
      Match m = s.expect(Expectation.regex("(?<bg>\\d+)\n"));
      long grandchild = Long.parseLong(m.group("bg"));
      s.close();
      assertThat(TestRuns.alive(pid)).isFalse();
      assertThat(TestRuns.stillAliveAfter(grandchild, 5000)).isFalse();
    }
  }

  @Test
  void closingTheFactoryClosesItsOpenSessions() {
    Expect expect = Promptly.blocking().setTimeout(Duration.ofSeconds(5));
    BlockingSession a = expect.spawn("sleep", "100");
    BlockingSession b = expect.spawn("cat");
    assertThat(b.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(expect.openSessions()).containsExactly(a, b);
    expect.close();
    assertThat(TestRuns.alive(a.pid())).isFalse();
    assertThat(TestRuns.alive(b.pid())).isFalse();
    assertThat(expect.openSessions()).isEmpty();
    assertThatThrownBy(() -> expect.spawn("cat")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aProgramThatCannotStartThrows() {
    assertThatThrownBy(() -> Promptly.blocking().spawn("./no-such-program"))
        .isInstanceOf(PromptlyException.class)
        .hasMessageStartingWith("cannot start ./no-such-program: ");
  }

  @Test
  void refusesToBlockAnEventLoop() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (Expect expect = Promptly.blocking(vertx)) {
      CompletableFuture<Throwable> thrown = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        try {
          expect.spawn("cat");
          thrown.complete(null);
        } catch (Throwable t) {
          thrown.complete(t);
        }
      });
      assertThat(thrown.get(10, TimeUnit.SECONDS))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("event-loop thread")
          .hasMessageContaining("Promptly.spawn");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void worksFromAWorkerThreadOfTheSameVertx() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (Expect expect = Promptly.blocking(vertx)) {
      String got = vertx.executeBlocking(() -> {
        try (BlockingSession s = expect.spawn("sh", "-c", "echo from-worker")) {
          return s.expect(Expectation.regex("from-\\w+")).text();
        }
      }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(got).isEqualTo("from-worker");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sendControlAndEofOnAPty() {
    try (BlockingSession s = Promptly.blocking().spawn(new ChildOptions("cat").setPty(true)
        .setEcho(false))) {
      s.sendLine("once");
      assertThat(s.expect("once\r\n").before()).isEmpty();
      s.sendControl('d');
      assertThat(s.expectEof().before()).isEmpty();
      assertThat(s.exit().success()).isTrue();
    }
  }
}
