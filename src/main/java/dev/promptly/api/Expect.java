package dev.promptly.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The blocking facade: starts children and hands out {@link BlockingSession}s whose calls wait
 * for their result, for scripts and tests that do not use Vert.x. Get one from
 * {@link Promptly#blocking()} (a Vert.x instance shared by the JVM's blocking sessions, with
 * daemon threads, made with the first) or {@link Promptly#blocking(Vertx)} (yours, left open).
 *
 * <p>{@link #close()} closes every session it started that is still open: their children's
 * process groups are terminated and reaped. Its calls must not be made on a Vert.x event-loop
 * thread (they would block it); there they throw {@link IllegalStateException}.
 */
public final class Expect implements AutoCloseable {
  private final Vertx given;
  private final Set<BlockingSession> open = new LinkedHashSet<>();
  private Promptly engine;
  private Duration timeout = ChildOptions.DEFAULT_TIMEOUT;
  private boolean closed;

  Expect(Vertx given) {
    this.given = given;
  }

  /** The engine of {@link Promptly#blocking()}: one per JVM, on daemon threads, never closed. */
  private static final class Shared {
    static final Promptly ENGINE = Promptly.create(dev.promptly.engine.Engine.newDaemonVertx());
  }

  /**
   * The default time limit of the sessions started from now on: of an expect that sets none,
   * and of every wait for a send, a close or the exit.
   *
   * @param timeout the limit (default 10 s)
   * @return this
   */
  public synchronized Expect setTimeout(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * The default time limit of new sessions.
   *
   * @return the limit
   */
  public synchronized Duration getTimeout() {
    return timeout;
  }

  /**
   * Starts a child over pipes.
   *
   * @param argv the program and its arguments
   * @return the session; close it (try-with-resources) to terminate the child
   * @throws PromptlyException when the program cannot be started, with the reason
   */
  public BlockingSession spawn(String... argv) {
    return spawn(new ChildOptions(argv).setTimeout(getTimeout()));
  }

  /**
   * Starts a child as {@code options} say. The session's time limit is
   * {@link ChildOptions#getTimeout()}.
   *
   * @param options what to start and how
   * @return the session; close it (try-with-resources) to terminate the child
   * @throws PromptlyException when the program cannot be started, with the reason
   */
  public BlockingSession spawn(ChildOptions options) {
    checkThread();
    Promptly e;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("this Expect is closed");
      }
      if (engine == null) {
        engine = given != null ? Promptly.create(given) : Shared.ENGINE;
      }
      e = engine;
    }
    Session session = await(spawnOffContext(e, options), options.getTimeout(),
        () -> "could not start " + String.join(" ", options.getCommand()) + " within "
            + dev.promptly.engine.Messages.duration(options.getTimeout()));
    BlockingSession s = new BlockingSession(this, session, options.getTimeout());
    synchronized (this) {
      open.add(s);
    }
    return s;
  }

  /** Closes every session still open (terminating and reaping their children). Further spawns fail. */
  @Override
  public void close() {
    List<BlockingSession> sessions;
    synchronized (this) {
      closed = true;
      sessions = new ArrayList<>(open);
    }
    RuntimeException first = null;
    for (BlockingSession s : sessions) {
      try {
        s.close();
      } catch (RuntimeException ex) {
        first = first == null ? ex : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * The sessions started and not yet closed.
   *
   * @return the open sessions, oldest first
   */
  public synchronized List<BlockingSession> openSessions() {
    return List.copyOf(open);
  }

  synchronized void closed(BlockingSession s) {
    open.remove(s);
  }

  /**
   * Sessions of the blocking facade must never share the caller's context: when the caller is
   * on a Vert.x thread it would wait for work queued behind itself. Spawning from a plain thread
   * gives a fresh event-loop context.
   */
  private static Future<Session> spawnOffContext(Promptly e, ChildOptions options) {
    if (Vertx.currentContext() == null) {
      return e.spawn(options);
    }
    java.util.concurrent.CompletableFuture<Future<Session>> f =
        new java.util.concurrent.CompletableFuture<>();
    Thread t = new Thread(() -> f.complete(e.spawn(options)), "promptly-spawn");
    t.start();
    return f.join();
  }

  static void checkThread() {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("promptly's blocking API was called on a Vert.x event-loop "
          + "thread (" + Thread.currentThread().getName() + "); it would block the loop. Use "
          + "the asynchronous API there (Promptly.spawn returns a Future<Session>), or call from "
          + "another thread.");
    }
  }

  /** Waits for {@code f}; failures become exceptions thrown from here, with their message. */
  static <T> T await(Future<T> f, Duration limit, java.util.function.Supplier<String> onTimeout) {
    checkThread();
    try {
      return f.toCompletionStage().toCompletableFuture()
          .get(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS);
    } catch (ExecutionException ex) {
      Throwable cause = ex.getCause();
      if (cause instanceof ExpectFailure x) {
        throw x.rethrown();
      }
      if (cause instanceof IllegalArgumentException x) {
        throw new IllegalArgumentException(x.getMessage(), x);
      }
      throw new PromptlyException(String.valueOf(cause.getMessage()), cause);
    } catch (TimeoutException ex) {
      throw new PromptlyException(onTimeout.get());
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new PromptlyException("interrupted while waiting (the thread's interrupt flag is "
          + "set again)", ex);
    }
  }
}
