package dev.promptly.engine;

import dev.promptly.match.Utf8Decoder;
import dev.promptly.process.ChildProcess;
import dev.promptly.process.ExitStatus;
import dev.promptly.process.NativeLauncher;
import dev.promptly.process.SpawnException;
import dev.promptly.process.SpawnOptions;
import dev.promptly.terminal.DialogueRecorder;
import dev.promptly.terminal.PersonTerminal;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code promptly record}'s session: the program runs for the person at promptly's terminal
 * (on a pty in raw mode, window-size changes forwarded, or over pipes with the terminal as it
 * is), everything passing through is fed to a {@link DialogueRecorder}.
 */
public final class Recording {
  private Recording() {
  }

  /** How it went: the child's end, and the terminal size it ran at. */
  public record Outcome(ExitStatus status, int rows, int columns, String term) {
  }

  /** Runs {@code argv} in {@code cwd} until it ends and its output is read. */
  public static Outcome run(List<String> argv, Path cwd, boolean pty, DialogueRecorder recorder)
      throws SpawnException, IOException {
    boolean tty = PersonTerminal.isTerminal(0);
    int[] size = tty ? PersonTerminal.size() : null;
    int rows = size != null ? size[0] : SpawnOptions.DEFAULT_ROWS;
    int columns = size != null ? size[1] : SpawnOptions.DEFAULT_COLUMNS;
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    if (pty) {
      env.putIfAbsent("TERM", "dumb");
    }
    SpawnOptions options = pty ? SpawnOptions.pty(argv, cwd, env, rows, columns, true)
        : SpawnOptions.pipes(argv, cwd, env);
    Vertx vertx = Engine.newVertx();
    AutoCloseable raw = null;
    AutoCloseable resize = () -> { };
    try {
      if (pty && tty) {
        // Before the program starts: a terminal that cannot be put in raw mode leaves nothing
        // running.
        raw = PersonTerminal.raw();
      }
      Context context = vertx.getOrCreateContext();
      CompletableFuture<ChildProcess> spawned = new CompletableFuture<>();
      context.runOnContext(v -> {
        try {
          spawned.complete(NativeLauncher.instance().spawn(options, context));
        } catch (SpawnException | RuntimeException e) {
          spawned.completeExceptionally(e);
        }
      });
      ChildProcess child;
      try {
        child = spawned.get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof SpawnException s) {
          throw s;
        }
        throw new IOException(e.getCause());
      } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
        throw new IOException("the program did not start: " + e);
      }
      Promise<Void> ended = Promise.promise();
      Utf8Decoder out = new Utf8Decoder();
      context.runOnContext(v -> {
        child.output().handler(b -> {
          byte[] bytes = b.getBytes();
          PersonTerminal.show(bytes);
          recorder.output(out.decode(bytes));
        });
        child.output().endHandler(e -> {
          recorder.output(out.finish());
          ended.tryComplete();
        });
      });
      if (pty && tty) {
        resize = PersonTerminal.onResize(() -> {
          int[] s = PersonTerminal.size();
          if (s != null) {
            context.runOnContext(v -> child.resize(s[0], s[1]));
          }
        });
      }
      Utf8Decoder keys = new Utf8Decoder();
      PersonTerminal.keys(bytes -> {
        if (bytes.length == 0) {
          recorder.endOfInput();
          context.runOnContext(v -> child.closeInput());
          return;
        }
        // Asked before the keys reach the child: a password prompt has echo off until it has
        // read the whole line.
        recorder.typed(keys.decode(bytes), !child.hidesInput());
        context.runOnContext(v -> child.input().write(Buffer.buffer(bytes)));
      });
      CompletableFuture<ExitStatus> exit = child.exit().toCompletionStage().toCompletableFuture();
      ExitStatus status;
      try {
        status = exit.get();
        // Output written before the exit may still be in the pipe; a grandchild may hold it open.
        ended.future().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        status = exit.getNow(null);
      } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
        child.terminate(java.time.Duration.ofSeconds(1));
        throw new IOException("recording stopped: " + e);
      }
      child.terminate(java.time.Duration.ZERO);
      return new Outcome(status, rows, columns, pty ? env.get("TERM") : null);
    } finally {
      PersonTerminal.keys(null);
      close(resize);
      close(raw);
      vertx.close();
    }
  }

  private static void close(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // Restoring the terminal is best effort: it may be gone.
      }
    }
  }
}
