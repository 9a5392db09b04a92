package dev.promptly.readme;

import static dev.promptly.api.DialogueBuilder.when;
import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.api.BlockingSession;
import dev.promptly.api.ChildOptions;
import dev.promptly.api.Dialogue;
import dev.promptly.api.DialogueBuilder;
import dev.promptly.api.Exit;
import dev.promptly.api.Expectation;
import dev.promptly.api.Match;
import dev.promptly.api.Promptly;
import dev.promptly.api.RunOptions;
import dev.promptly.api.RunResult;
import dev.promptly.api.Session;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java example of README.md and of the Javadoc of {@code dev.promptly.api}, run against real
 * children (python3, ssh-keygen). The documents show exactly the regions between
 * {@code tag::NAME[]} and {@code end::NAME[]} (several parts of one name are joined), which
 * {@link DocSnippetsTest} checks; the lines outside them assert what the example did. Only public
 * types ({@code dev.promptly.api}, JDK, Vert.x) are imported, as a user's code would. The JUnit
 * examples (a test class, dialogue files as tests) are src/it/junit-consumer's own tests.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReadmeExamplesTest {
  @TempDir
  Path dir;
  Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
  }

  @Test
  void blockingFacade() {
    // tag::blocking[]
    try (BlockingSession s = Promptly.blocking().spawn("python3", "-i", "-q")) {
      s.expect(">>> ");
      s.sendLine("6 * 7");
      Match m = s.expect(Expectation.regex("(?<n>\\d+)"), Expectation.literal("Error"));
      s.closeInput();                           // end of input: python3 exits
      Exit exit = s.exit();                     // exit 0, or "killed by SIGKILL"
      // end::blocking[]
      assertThat(m.index()).isZero();
      assertThat(m.group("n")).isEqualTo("42");
      assertThat(exit.code()).isZero();
      // tag::blocking[]
    }
    // end::blocking[]
  }

  @Test
  void blockingJavadocOfPromptly() {
    // tag::promptly-blocking[]
    try (BlockingSession s = Promptly.blocking().spawn("python3", "-i")) {
      s.expect(">>> ");
      s.sendLine("6*7");
      s.expect("42");
    }
    // end::promptly-blocking[]
  }

  @Test
  void blockingJavadocOfBlockingSession() {
    // tag::blocking-session[]
    try (BlockingSession s = Promptly.blocking().spawn("python3", "-i")) {
      s.expect(">>> ");
      s.sendLine("print('Вы ввели', 'Zoot')");
      Match m = s.expect(Expectation.regex("Вы ввели (?<who>\\w+)"));
      assert m.group("who").equals("Zoot");
      // end::blocking-session[]
      assertThat(m.group("who")).isEqualTo("Zoot");
      // tag::blocking-session[]
    }
    // end::blocking-session[]
  }

  @Test
  void childOptionsJavadoc() {
    ChildOptions options =
        // tag::child-options[]
        new ChildOptions("python3", "-i").setPty(true).putEnv("LANG", "C.UTF-8")
        // end::child-options[]
        ;
    try (BlockingSession s = Promptly.blocking().spawn(options)) {
      s.expect(">>> ");
      s.sendLine("import os; print(os.environ['LANG'], os.isatty(0))");
      s.expect("C.UTF-8 True");
    }
  }

  @Test
  void asynchronousSshKeygenAnswersEveryPromptAndOverwrites() throws Exception {
    String key = dir.resolve("key").toString();
    Exit first = keygen(key).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    assertThat(first.code()).isZero();
    assertThat(Path.of(key)).exists();
    assertThat(Path.of(key + ".pub")).exists();
    String before = Files.readString(Path.of(key + ".pub"));
    // The key exists now: ssh-keygen asks whether to overwrite it, answered "y".
    Exit second = keygen(key).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    assertThat(second.code()).isZero();
    assertThat(Files.readString(Path.of(key + ".pub"))).isNotEqualTo(before);
  }

  private Future<Exit> keygen(String key) {
    // tag::async[]
    Promptly promptly = Promptly.create(vertx);          // or Promptly.create(): its own Vert.x
    Future<Exit> keygen = promptly.spawn(
            new ChildOptions("ssh-keygen", "-t", "ed25519", "-f", key).setPty(true))
        .compose(s -> answer(s).compose(v -> s.exit()));
    // end::async[]
    return keygen;
  }

  // tag::async[]

  /** Answers each prompt of ssh-keygen until its output ends. */
  Future<Void> answer(Session s) {
    return s.expect(Expectation.regex("passphrase[^:]*: "), Expectation.literal("Overwrite"),
            Expectation.eof())
        .compose(m -> switch (m.index()) {
          case 0 -> s.sendLine("").compose(v -> answer(s));     // no passphrase, twice
          case 1 -> s.sendLine("y").compose(v -> answer(s));    // overwrite the old key
          default -> Future.succeededFuture();                  // the end of the output
        });
  }
  // end::async[]

  @Test
  void asynchronousJavadocOfSession() throws Exception {
    Promptly promptly = Promptly.create(vertx);
    CompletableFuture<String> printed = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(new OutputStream() {
      @Override
      public synchronized void write(int b) {
        text.append((char) b);
        if (text.toString().contains("42")) {
          printed.complete(text.toString());
        }
      }
    }, true, StandardCharsets.UTF_8));
    try {
      // tag::session[]
      promptly.spawn(new ChildOptions("python3", "-i"))
          .compose(s -> s.expect(Expectation.literal(">>> "))
              .compose(m -> s.sendLine("6*7"))
              .compose(v -> s.expect(Expectation.regex("(?<n>\\d+)")))
              .onSuccess(m -> System.out.println(m.group("n")))
              .eventually(s::close));
      // end::session[]
      assertThat(printed.get(1, TimeUnit.MINUTES)).contains("42");
    } finally {
      System.setOut(stdout);
    }
  }

  @Test
  void dialoguesInJava() {
    Promptly promptly = Promptly.create(vertx);
    // tag::java-dialogue[]
    // tag::dialogue-builder[]
    Dialogue echo = DialogueBuilder.named("echo")
        .cwd(Path.of("src/test/children"))
        .command("python3", "echo.py")
        .matrix("text", "one", "two")
        .expect("Введите текст: ")
        .sendLine("${text}")
        .expect(Expectation.regex("Вы ввели (?<said>\\w+)"))
        .expect(when("Password:").sendLine("${env:PASSWORD}").secret(),
                when(Expectation.regex("\\(yes/no\\)\\?")).sendLine("yes").again(),
                when(Expectation.timeout()).fail("no password prompt"))
        .closeInput()
        .expect(Expectation.eof())
        .build();
    // end::dialogue-builder[]
    List<RunResult> results = promptly.run(List.of(echo), new RunOptions()).toCompletionStage()
        .toCompletableFuture().join();
    // end::java-dialogue[]
    assertThat(results).extracting(RunResult::name).containsExactly("echo[text=one]",
        "echo[text=two]");
    assertThat(results).allSatisfy(r -> assertThat(r.passed()).as(r.failure()).isTrue());
  }
}
