package dev.promptly.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.TestRuns;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The asynchronous API against real children, on the caller's context. */
@ExtendWith(VertxExtension.class)
class SessionTest {
  private static final String GREETER = "n = input('Введите имя: '); print(f'Вы ввели имя {n}')";

  private Promptly promptly;

  @BeforeEach
  void setUp(Vertx vertx) {
    promptly = Promptly.create(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    promptly.close().await(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void limitsBeyondWhatNanosecondsHoldAreNoLimit(Vertx vertx, VertxTestContext test) {
    // Duration.ofSeconds(Long.MAX_VALUE) has no millisecond or nanosecond count: such a limit is
    // waited as "a century" (Conversation.limitNanos), and the prompt that comes is matched.
    Context ctx = vertx.getOrCreateContext();
    Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
    ctx.runOnContext(v -> promptly.spawn(new ChildOptions("sh", "-c",
            "sleep 0.2; printf 'first> '; read x; sleep 0.2; echo second"))
        .compose(s -> s.expect(forever, Expectation.literal("first> "))
            .compose(m -> s.sendLine("go"))
            .compose(x -> s.expect(Duration.ofMillis(Long.MAX_VALUE), Expectation.literal("second")))
            .compose(m -> s.exit()))
        .onComplete(test.succeeding(exit -> test.verify(() -> {
          assertThat(exit.success()).isTrue();
          test.completeNow();
        }))));
  }

  @Test
  void futuresHandlersAndEventsArriveOnTheCallersContext(Vertx vertx, VertxTestContext test) {
    Context ctx = vertx.getOrCreateContext();
    List<String> seen = new CopyOnWriteArrayList<>();
    ctx.runOnContext(v -> promptly.spawn(new ChildOptions("python3", "-c", GREETER)
            .setAddress("test.greeter"))
        .compose(s -> {
          test.verify(() -> assertThat(Vertx.currentContext()).isSameAs(ctx));
          s.matchHandler(m -> {
            test.verify(() -> assertThat(Vertx.currentContext()).isSameAs(ctx));
            seen.add("match " + m.index() + " " + m.text());
          });
          s.outputHandler(text -> {
            test.verify(() -> assertThat(Vertx.currentContext()).isSameAs(ctx));
            seen.add("output");
          });
          return s.expect(Expectation.literal("Введите имя: "))
              .compose(m -> {
                test.verify(() -> {
                  assertThat(Vertx.currentContext()).isSameAs(ctx);
                  assertThat(m.index()).isZero();
                  assertThat(m.before()).isEmpty();
                });
                return s.sendLine("Zoot");
              })
              .compose(x -> s.expect(Expectation.literal("nope"), Expectation.regex("имя (?<who>\\w+)")))
              .compose(m -> {
                test.verify(() -> {
                  assertThat(Vertx.currentContext()).isSameAs(ctx);
                  assertThat(m.index()).isEqualTo(1);
                  assertThat(m.group("who")).isEqualTo("Zoot");
                  assertThat(m.group(0)).isEqualTo("имя Zoot");
                  assertThat(m.before()).isEqualTo("Вы ввели ");
                });
                return s.exit();
              });
        })
        .onComplete(test.succeeding(exit -> test.verify(() -> {
          assertThat(Vertx.currentContext()).isSameAs(ctx);
          assertThat(exit.success()).isTrue();
          assertThat(seen).contains("match 0 Введите имя: ", "match 1 имя Zoot", "output");
          // Handlers run before the expect's future completes.
          assertThat(seen.indexOf("match 0 Введите имя: ")).isLessThan(seen.indexOf("match 1 имя Zoot"));
          test.completeNow();
        }))));
  }

  @Test
  void matchesOutputAndExitArePublishedOnTheEventBus(Vertx vertx, VertxTestContext test) {
    List<JsonObject> matches = new CopyOnWriteArrayList<>();
    StringBuilder output = new StringBuilder();
    var consumers = List.of(
        vertx.eventBus().<JsonObject>consumer("bus.greeter.match", m -> matches.add(m.body())),
        vertx.eventBus().<JsonObject>consumer("bus.greeter.output",
            m -> output.append(m.body().getString("text"))),
        vertx.eventBus().<JsonObject>consumer("bus.greeter.exit", m -> test.verify(() -> {
          JsonObject exit = m.body();
          assertThat(exit.getInteger("code")).isZero();
          assertThat(exit.getString("signal")).isNull();
          assertThat(exit.getString("name")).isEqualTo("greeter");
          // The exit can be published before the last output was consumed: check what matched.
          assertThat(matches).hasSize(2);
          JsonObject second = matches.get(1);
          assertThat(second.getInteger("index")).isZero();
          assertThat(second.getString("pattern")).isEqualTo("regex /имя (?<who>\\w+)/");
          assertThat(second.getJsonObject("groups").getString("who")).isEqualTo("Zoot");
          assertThat(second.getString("text")).isEqualTo("имя Zoot");
          assertThat(output.toString()).startsWith("Введите имя: ");
          test.completeNow();
        })));
    Future.all(consumers.stream().map(c -> c.completion()).toList())
        .compose(v -> promptly.spawn(new ChildOptions("python3", "-c", GREETER)
            .setName("greeter").setAddress("bus.greeter")))
        .compose(s -> {
          assertThat(s.address()).isEqualTo("bus.greeter");
          return s.expect(Expectation.literal("Введите имя: "))
              .compose(m -> s.sendLine("Zoot"))
              .compose(v -> s.expect(Expectation.regex("имя (?<who>\\w+)")))
              .compose(m -> s.exit());
        })
        .onFailure(test::failNow);
  }

  @Test
  void defaultAddressCarriesTheSessionId(Vertx vertx, VertxTestContext test) {
    promptly.spawn("sh", "-c", "echo hi")
        .onComplete(test.succeeding(s -> test.verify(() -> {
          assertThat(s.address()).isEqualTo("promptly.session." + s.id());
          s.close().onComplete(x -> test.completeNow());
        })));
  }

  @Test
  void timeoutFailsWithTheCliMessage(VertxTestContext test) {
    promptly.spawn("sh", "-c", "printf 'Welcome\\r\\nLogin: '; sleep 30")
        .compose(s -> s.expect(Duration.ofMillis(300), Expectation.literal("Password:"),
                Expectation.regex("\\d+"))
            .eventually(() -> s.close()))
        .onComplete(test.failing(err -> test.verify(() -> {
          assertThat(err).isInstanceOf(ExpectFailure.class);
          ExpectFailure f = (ExpectFailure) err;
          assertThat(f.reason()).isEqualTo(ExpectFailure.Reason.TIMEOUT);
          assertThat(f.timeout()).isEqualTo(Duration.ofMillis(300));
          assertThat(f.getMessage())
              .startsWith("sh: timed out after ")
              .contains("(limit 300ms) waiting for \"Password:\" | regex /\\d+/")
              .contains("last lines received:\n  | Welcome\n  | Login: ");
          test.completeNow();
        })));
  }

  @Test
  void pseudoPatternsListedAreBranches(VertxTestContext test) {
    promptly.spawn("sh", "-c", "echo done; read x")
        .compose(s -> s.expect(Duration.ofMillis(100), Expectation.literal("never"),
                Expectation.timeout())
            .compose(m -> {
              test.verify(() -> assertThat(m.index()).isEqualTo(1));
              return s.closeInput();
            })
            .compose(v -> s.expect(Expectation.literal("never"), Expectation.eof())))
        .onComplete(test.succeeding(m -> test.verify(() -> {
          assertThat(m.index()).isEqualTo(1);
          assertThat(m.pattern()).isEqualTo(Expectation.eof());
          assertThat(m.before()).isEqualTo("done\n");
          test.completeNow();
        })));
  }

  @Test
  void endOfOutputFailsAtOnceNamingWhatWasAwaited(VertxTestContext test) {
    long t0 = System.nanoTime();
    promptly.spawn("sh", "-c", "echo bye")
        .compose(s -> s.expect(Duration.ofSeconds(30), Expectation.literal("Name:")))
        .onComplete(test.failing(err -> test.verify(() -> {
          assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
          assertThat(((ExpectFailure) err).reason()).isEqualTo(ExpectFailure.Reason.EOF);
          assertThat(err.getMessage()).contains("output ended after")
              .contains("while waiting for \"Name:\"").contains("  | bye");
          test.completeNow();
        })));
  }

  @Test
  void sendsHonourBackpressureWhileOutputIsDrained(VertxTestContext test) {
    // cat echoes 8 MB while we are still writing it: neither side may stall.
    String chunk = "x".repeat(64 * 1024);
    AtomicLong received = new AtomicLong();
    promptly.spawn("cat")
        .compose(s -> {
          s.outputHandler(text -> received.addAndGet(text.length()));
          Future<Void> sent = Future.succeededFuture();
          for (int i = 0; i < 128; i++) {
            sent = sent.compose(v -> s.send(chunk));
          }
          return sent.compose(v -> s.closeInput())
              .compose(v -> s.expect(Duration.ofSeconds(60), Expectation.eof()))
              .compose(m -> s.exit());
        })
        .onComplete(test.succeeding(exit -> test.verify(() -> {
          assertThat(exit.success()).isTrue();
          assertThat(received.get()).isEqualTo(128L * chunk.length());
          test.completeNow();
        })));
  }

  @Test
  void exitReportsCodeAndKillReportsTheSignal(VertxTestContext test) {
    promptly.spawn("sh", "-c", "exit 3").compose(Session::exit)
        .compose(exit -> {
          test.verify(() -> {
            assertThat(exit).isEqualTo(new Exit(3, 0));
            assertThat(exit.toString()).isEqualTo("exit 3");
          });
          return promptly.spawn("sleep", "100");
        })
        .compose(s -> s.kill().map(exit -> {
          test.verify(() -> {
            assertThat(exit.signalName()).isEqualTo("SIGKILL");
            assertThat(TestRuns.alive(s.pid())).isFalse();
          });
          return exit;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void sendControlOnAPseudoTerminal(VertxTestContext test) {
    promptly.spawn(new ChildOptions("cat").setPty(true))
        .compose(s -> s.sendLine("hello")
            .compose(v -> s.expect(Expectation.literal("hello\r\nhello\r\n")))
            .compose(m -> s.sendControl('d'))
            .compose(v -> s.exit()))
        .onComplete(test.succeeding(exit -> test.verify(() -> {
          assertThat(exit.success()).isTrue();
          test.completeNow();
        })));
  }

  @Test
  void aProgramThatCannotStartFailsTheSpawn(VertxTestContext test) {
    promptly.spawn("no-such-program-promptly")
        .onComplete(test.failing(err -> test.verify(() -> {
          assertThat(err).isInstanceOf(PromptlyException.class);
          assertThat(err.getMessage()).startsWith("cannot start no-such-program-promptly: ");
          test.completeNow();
        })));
  }

  @Test
  void controlKeys() {
    assertThat((int) Session.control('c')).isEqualTo(3);
    assertThat((int) Session.control('D')).isEqualTo(4);
    assertThat((int) Session.control('[')).isEqualTo(27);
    assertThat((int) Session.control('?')).isEqualTo(127);
  }
}
