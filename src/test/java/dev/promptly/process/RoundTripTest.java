package dev.promptly.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many short request/response rounds with `cat`, the shape of an expect dialogue: each line is
 * sent only after its echo came back. Checks that nothing is lost or reordered, and prints the
 * cost of one round trip (for comparison with shared/notes/pty-fast-path.md).
 */
class RoundTripTest {
  private static final int ROUNDS = 5000;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void pipes() throws Exception {
    run(false);
  }

  @Test
  void pty() throws Exception {
    run(true);
  }

  private void run(boolean pty) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    SpawnOptions options = pty
        ? SpawnOptions.pty(List.of("sh", "-c", "stty raw -echo; echo ready; exec cat"),
            Path.of("."), System.getenv(), 24, 80, false)
        : SpawnOptions.pipes(List.of("cat"), Path.of("."), System.getenv());
    ChildProcess child = Launcher.system().spawn(options, ctx);
    Promise<Long> done = Promise.promise();
    ctx.runOnContext(v -> new Object() {
      final StringBuilder pending = new StringBuilder();
      int round = pty ? -1 : 0; // on a pty, wait for "ready" (stty has run) first
      long start;

      void begin() {
        child.output().handler(this::received);
        if (!pty) {
          send();
        }
      }

      void send() {
        if (round == 0) {
          start = System.nanoTime();
        }
        child.input().write(Buffer.buffer("line " + round + "\n"));
      }

      void received(Buffer b) {
        pending.append(b.toString());
        String expected = round < 0 ? "ready\n" : "line " + round + "\n";
        if (pending.length() < expected.length()) {
          return;
        }
        assertThat(pending.toString()).isEqualTo(expected);
        pending.setLength(0);
        round++;
        if (round == ROUNDS) {
          done.complete(System.nanoTime() - start);
        } else {
          send();
        }
      }
    }.begin());
    long nanos = done.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    System.out.printf("%s: %d round trips, %.1f us each%n", pty ? "pty" : "pipes", ROUNDS,
        nanos / 1000.0 / ROUNDS);
    child.terminate(Duration.ofSeconds(1)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }
}
