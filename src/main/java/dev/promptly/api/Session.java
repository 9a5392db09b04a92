package dev.promptly.api;

import dev.promptly.engine.Secrets;
import dev.promptly.match.MatchResult;
import dev.promptly.match.PatternSpec;
import dev.promptly.process.Launcher;
import dev.promptly.process.Signals;
import dev.promptly.process.SpawnException;
import dev.promptly.process.SpawnOptions;
import dev.promptly.report.RunInfo;
import dev.promptly.report.RunObserver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One running child and the conversation with it, asynchronous: every method returns at once
 * and its {@link Future} completes on the session's {@link #context() context}, as do the match
 * and output handlers. That context is the caller's when {@link Promptly#spawn} was called on a
 * Vert.x context (a verticle, a handler, a vertx-junit5 test), else a new event-loop context.
 * Methods may be called from any thread.
 *
 * <pre>{@code
 * promptly.spawn(new ChildOptions("python3", "-i"))
 *     .compose(s -> s.expect(Expectation.literal(">>> "))
 *         .compose(m -> s.sendLine("6*7"))
 *         .compose(v -> s.expect(Expectation.regex("(?<n>\\d+)")))
 *         .onSuccess(m -> System.out.println(m.group("n")))
 *         .eventually(s::close));
 * }</pre>
 *
 * <p>Output is read continuously whatever the session is doing, so a child that writes a lot
 * before its prompt never blocks; sends honour backpressure (a send's future completes once the
 * child's input had room for it).
 *
 * <p><b>Streams.</b> {@link #output()} is the child's output as a Vert.x {@code ReadStream} and
 * {@link #input()} its input as a {@code WriteStream}, so a session pipes like any Vert.x stream
 * ({@code session.output().pipeTo(file)}).
 *
 * <p><b>Events.</b> Besides {@link #matchHandler} and {@link #outputHandler}, the session can
 * publish on the Vert.x event bus, for code elsewhere in the application, when
 * {@link ChildOptions#setPublishEvents} or {@link ChildOptions#setAddress} turned it on (off by
 * default: on a clustered Vert.x a publish leaves the machine). The prefix is
 * {@link ChildOptions#getAddress()}, by default {@code promptly.session.<id>}
 * ({@link #address()}), unique across JVMs. Secrets sent with {@link #sendSecret} are masked in
 * every event. Bodies are {@code JsonObject}s:
 * <ul>
 *   <li>{@code <prefix>.match}: {@code session} (the id), {@code name}, {@code pid},
 *       {@code index} (branch), {@code pattern} (as messages show it), {@code before},
 *       {@code text}, {@code groups} (an object of the groups);</li>
 *   <li>{@code <prefix>.output}: {@code session}, {@code name}, {@code pid}, {@code text} (a
 *       decoded chunk as read, not split into lines);</li>
 *   <li>{@code <prefix>.exit}: {@code session}, {@code name}, {@code pid}, {@code code} (-1
 *       when killed), {@code signal} (its name, or null).</li>
 * </ul>
 */
public final class Session {

  private final dev.promptly.engine.Conversation inner;
  private final Context context;
  private final ChildOptions options;
  private final String id;
  private final String address;
  private volatile Handler<Match> matchHandler;
  private volatile Handler<String> outputHandler;
  /** Set by close() and kill(): sends and expects are refused from then on. */
  private volatile boolean closed;
  /** With a delay before send: the previous send, which the next one follows. */
  private Future<Void> lastSend = Future.succeededFuture();
  private final OutputStream output;
  private final InputStream input;

  private Session(dev.promptly.engine.Conversation inner, Context context, ChildOptions options,
                  String id) {
    this.inner = inner;
    this.context = context;
    this.options = options;
    this.id = id;
    this.address = options.getAddress() != null ? options.getAddress()
        : ChildOptions.DEFAULT_ADDRESS_PREFIX + id;
    this.output = new OutputStream(context);
    this.input = new InputStream();
    inner.onMatch(this::matched);
    inner.onOutput(this::output);
    inner.outputEnded().onComplete(ar -> output.end());
    inner.exit().onSuccess(status -> {
      if (options.isPublishEvents()) {
        context.owner().eventBus().publish(address + ".exit", new JsonObject()
            .put("session", id).put("name", name()).put("pid", pid())
            .put("code", status.code())
            .put("signal", status.bySignal() ? Signals.name(status.signal()) : null));
      }
    });
  }

  /** Starts the child on the caller's context, or a new one; fails with a PromptlyException. */
  static Future<Session> spawn(Vertx vertx, Launcher launcher, ChildOptions given) {
    ChildOptions options = given.copy();
    if (options.getCommand().isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("no command to start"));
    }
    Context context = vertx.getOrCreateContext();
    String id = java.util.UUID.randomUUID().toString();
    return onContext(context, () -> {
      SpawnOptions spawn = new SpawnOptions(options.getCommand(), options.getCwd(),
          options.getEnv(), options.isPty(), options.getRows(), options.getColumns(),
          options.isEcho());
      try {
        RunInfo info = new RunInfo(options.getName(), null, String.join(" ",
            options.getCommand()), 0, true, options.isPty(), options.getRows(),
            options.getColumns(), options.getEnv().get("TERM"), java.time.Instant.now());
        // A session sees the terminal's output as it is ("\r\n"), as pexpect users expect;
        // dialogues (YAML or DialogueBuilder) normalise it to "\n" for matching.
        dev.promptly.engine.Conversation inner = dev.promptly.engine.Conversation.start(info, launcher,
            spawn, context, options.isStripAnsi(), false, options.getWindow(),
            new Secrets(), RunObserver.NONE);
        return Future.succeededFuture(new Session(inner, context, options, id));
      } catch (SpawnException e) {
        return Future.failedFuture(new PromptlyException("cannot start "
            + String.join(" ", options.getCommand()) + ": " + e.getMessage(), e));
      }
    });
  }

  /**
   * The session's id, a random UUID (unique across the JVMs of a cluster); part of the default
   * event bus address.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * The session's name in messages ({@link ChildOptions#setName}, else the program's name).
   *
   * @return the name
   */
  public String name() {
    return options.getName();
  }

  /**
   * The child's process id (also its process group's id).
   *
   * @return the pid
   */
  public long pid() {
    return inner.child().pid();
  }

  /**
   * The Vert.x context every future and handler of this session completes on.
   *
   * @return the context
   */
  public Context context() {
    return context;
  }

  /**
   * The prefix of this session's event bus addresses ({@code <prefix>.match},
   * {@code <prefix>.output}, {@code <prefix>.exit}).
   *
   * @return the prefix
   */
  public String address() {
    return address;
  }

  /**
   * The limit of {@link #expect(Expectation...)} without an explicit one.
   *
   * @return the default timeout
   */
  public Duration defaultTimeout() {
    return options.getTimeout();
  }

  Duration grace() {
    return options.getGrace();
  }

  /**
   * Sets the handler of matches, called on the session's context before the expect's future
   * completes. One handler; use the event bus for more listeners.
   *
   * @param handler the handler, or null to remove it
   * @return this
   */
  public Session matchHandler(Handler<Match> handler) {
    this.matchHandler = handler;
    return this;
  }

  /**
   * Sets the handler of output: every decoded chunk the child writes, as read, whether or not
   * an expect is waiting, called on the session's context.
   *
   * @param handler the handler, or null to remove it
   * @return this
   */
  public Session outputHandler(Handler<String> handler) {
    this.outputHandler = handler;
    return this;
  }

  /**
   * Waits, up to the {@link #defaultTimeout()}, for the earliest match among
   * {@code patterns} in the output not yet matched.
   *
   * @param patterns one or more patterns
   * @return the match; or fails with {@link ExpectFailure} when the time runs out or the output
   *     ends first and the matching pseudo-pattern was not listed
   */
  public Future<Match> expect(Expectation... patterns) {
    return expect(options.getTimeout(), patterns);
  }

  /**
   * Waits, up to {@code timeout}, for the earliest match among {@code patterns} in the output
   * not yet matched (at the same start, the pattern listed first wins). What follows the match
   * stays for the next expect. One expect at a time.
   *
   * @param timeout the limit of this expect
   * @param patterns one or more patterns
   * @return the match; or fails with {@link ExpectFailure} when the time runs out or the output
   *     ends first and the matching pseudo-pattern was not listed, with
   *     {@link IllegalStateException} when another expect is waiting or the session was closed
   */
  public Future<Match> expect(Duration timeout, Expectation... patterns) {
    Objects.requireNonNull(timeout, "timeout");
    if (patterns.length == 0) {
      return Future.failedFuture(new IllegalArgumentException("expect needs a pattern"));
    }
    List<Expectation> list = List.of(patterns);
    List<PatternSpec> specs = new ArrayList<>();
    try {
      for (Expectation p : list) {
        specs.add(p.spec());
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return whileOpen(() -> inner.expect(specs, timeout)
        .map(r -> toMatch(r, list))
        .recover(this::withExit));
  }

  /**
   * Waits for the earliest of several literal texts (pexpect's {@code expect_exact} of a list),
   * up to the {@link #defaultTimeout()}; {@link Match#index()} says which.
   *
   * @param literals the texts, matched exactly
   * @return the match, or fails as {@link #expect(Expectation...)}
   */
  public Future<Match> expectAny(String... literals) {
    return expect(Expectation.literals(literals));
  }

  /**
   * An expect that failed because the output ended says how the child ended ("exited with 3",
   * "was killed by SIGKILL"), once it is reaped (which follows the end of its output closely).
   */
  private Future<Match> withExit(Throwable failure) {
    if (!(failure instanceof ExpectFailure f) || f.reason() != ExpectFailure.Reason.EOF
        || f.detail() != null) {
      return Future.failedFuture(failure);
    }
    Promise<Match> result = Promise.promise();
    long timer = context.owner().setTimer(EXIT_WAIT.toMillis(), id -> result.tryFail(failure));
    inner.exit().onComplete(ar -> {
      context.owner().cancelTimer(timer);
      if (ar.failed()) {
        result.tryFail(failure);
        return;
      }
      Exit exit = Exit.of(ar.result());
      result.tryFail(new ExpectFailure(f.session(), f.reason(), f.patterns(), f.elapsed(),
          f.timeout(), f.lastLines(), exit.bySignal() ? "the child was killed by "
              + exit.signalName() : "the child exited with " + exit.code()));
    });
    return result.future();
  }

  /** How long a failed expect waits for the child's exit to name it. */
  private static final Duration EXIT_WAIT = Duration.ofSeconds(1);

  /**
   * Sends text as is (no newline added), once the child's input has room.
   *
   * @param text the text, encoded as UTF-8
   * @return completes when written; fails with {@link IllegalStateException} after
   *     {@link #closeInput()}
   */
  public Future<Void> send(String text) {
    Objects.requireNonNull(text, "text");
    return whileOpen(() -> delayed(() -> inner.send(text)));
  }

  /**
   * Sends a secret as is (a password, a token): from now on it is masked ({@code ******}) in
   * the output handlers, events, last lines and failure messages of this session.
   *
   * @param secret the secret, encoded as UTF-8
   * @return completes when written
   */
  public Future<Void> sendSecret(String secret) {
    Objects.requireNonNull(secret, "secret");
    return whileOpen(() -> delayed(() -> inner.sendSecret(secret)));
  }

  /**
   * Sends a secret and a newline, as {@link #sendSecret} and {@link #sendLine}.
   *
   * @param secret the secret, without its newline
   * @return completes when written
   */
  public Future<Void> sendSecretLine(String secret) {
    Objects.requireNonNull(secret, "secret");
    return whileOpen(() -> delayed(() -> inner.sendSecret(secret)
        .compose(v -> inner.send("\n"))));
  }

  /** On the context: {@code send} now, or after the delay before send and the previous send. */
  private Future<Void> delayed(Supplier<Future<Void>> send) {
    Duration delay = options.getDelayBeforeSend();
    if (delay.isZero()) {
      return send.get();
    }
    Promise<Void> done = Promise.promise();
    Future<Void> after = lastSend;
    lastSend = done.future();
    after.onComplete(ignored -> context.owner().setTimer(Math.max(1, delay.toMillis()),
        id -> send.get().onComplete(done)));
    return done.future();
  }

  /**
   * Sends a line: the text and a newline ({@code \n}; on a pseudo-terminal the terminal maps
   * it as the Enter key does).
   *
   * @param line the line, without its newline
   * @return completes when written
   */
  public Future<Void> sendLine(String line) {
    return send(line + "\n");
  }

  /**
   * Sends a control character, as pexpect's {@code sendcontrol}: {@code 'c'} sends ^C (0x03),
   * {@code 'd'} ^D, {@code '['} ESC, {@code '?'} DEL. On a pseudo-terminal ^C and ^Z become
   * signals for the child, ^D the end of input.
   *
   * @param key a letter, or one of {@code @ [ \ ] ^ _ ?}
   * @return completes when written
   */
  public Future<Void> sendControl(char key) {
    char c;
    try {
      c = control(key);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return send(String.valueOf(c));
  }

  static char control(char key) {
    char k = Character.toUpperCase(key);
    if (k >= '@' && k <= '_') {
      return (char) (k - '@');
    }
    if (k == '?') {
      return (char) 0x7f;
    }
    throw new IllegalArgumentException("no control character for '" + key
        + "' (use a letter or one of @ [ \\ ] ^ _ ?)");
  }

  /**
   * Ends the child's input: EOF on a pipe, the terminal's EOF character (^D) on a
   * pseudo-terminal, after what was sent before.
   *
   * @return completes when done; a second call does nothing
   */
  public Future<Void> closeInput() {
    return whileOpen(() -> lastSend.transform(ignored -> inner.closeInput()));
  }

  /**
   * How the child ended, once it has exited and been reaped. No time limit: combine with a
   * timer, or use the blocking facade, to bound the wait.
   *
   * @return the exit status or signal
   */
  public Future<Exit> exit() {
    Future<dev.promptly.process.ExitStatus> exit = inner.exit();
    if (exit.isComplete()) {
      // Known, also after close() (when the session's Vert.x may be gone).
      return exit.map(Exit::of);
    }
    return onContext(context, () -> inner.exit().map(Exit::of));
  }

  /**
   * Whether the child is still running (not yet exited and reaped), as pexpect's
   * {@code isalive()}.
   *
   * @return true while the child runs
   */
  public boolean isAlive() {
    return !inner.exit().isComplete();
  }

  /**
   * Changes the terminal's size (a pseudo-terminal only; the child gets SIGWINCH), as
   * pexpect's {@code setwinsize}.
   *
   * @param rows lines, at least 1
   * @param columns columns, at least 1
   * @return completes when done; fails with {@link IllegalStateException} over pipes, with
   *     {@link IllegalArgumentException} for a size out of range
   */
  public Future<Void> setWindowSize(int rows, int columns) {
    if (!options.isPty()) {
      return Future.failedFuture(new IllegalStateException(name()
          + ": a window size needs a pseudo-terminal (ChildOptions.setPty(true))"));
    }
    return whileOpen(() -> {
      inner.child().resize(rows, columns);
      return Future.succeededFuture();
    });
  }

  /**
   * Sends a signal to the child's process group (the child and what it started).
   *
   * @param signal {@code "INT"}, {@code "SIGHUP"}, {@code "15"}, ...
   * @return completes once sent (the child's reaction comes later); fails with
   *     {@link IllegalArgumentException} for an unknown signal
   */
  public Future<Void> signal(String signal) {
    int n = Signals.number(signal);
    if (n < 0) {
      return Future.failedFuture(new IllegalArgumentException("unknown signal '" + signal
          + "' (use TERM, INT, HUP, KILL, ...)"));
    }
    return onContext(context, () -> {
      inner.child().signal(n);
      return Future.<Void>succeededFuture();
    });
  }

  /**
   * Kills the child's process group now (SIGKILL) and reaps the child. A waiting expect fails.
   *
   * @return how the child ended (normally killed by SIGKILL)
   */
  public Future<Exit> kill() {
    closed = true;
    return onContext(context, () -> {
      inner.child().signal(Signals.SIGKILL);
      return inner.terminate(Duration.ZERO).map(Exit::of);
    });
  }

  /**
   * Ends the session: SIGTERM to the child's process group, SIGKILL after the grace period
   * ({@link ChildOptions#setGrace}) if anything is left, and reaps the child. A waiting expect
   * fails. Harmless on a child that already exited.
   *
   * @return how the child ended
   */
  public Future<Exit> close() {
    closed = true;
    return onContext(context, () -> inner.terminate(options.getGrace()).map(Exit::of));
  }

  /**
   * The last lines the child wrote (as failure messages show them, unescaped).
   *
   * @return at most the last 20 lines
   */
  public Future<List<String>> lastLines() {
    if (closed && inner.exit().isComplete()) {
      return Future.succeededFuture(finalLines());
    }
    return onContext(context, () -> Future.succeededFuture(finalLines()));
  }

  private List<String> finalLines() {
    return List.copyOf(inner.lastLines());
  }

  /**
   * The child's output as a stream: each chunk as read, decoded as UTF-8 and re-encoded (secrets
   * masked), ending when the child's output ends. Pausing it buffers in the session (the child is
   * still read, so it never blocks); handlers run on the session's {@link #context()}.
   *
   * @return the stream (one per session)
   */
  public ReadStream<Buffer> output() {
    return output;
  }

  /**
   * The child's input as a stream: writes are sends (in order, with backpressure), {@code end()}
   * ends the input as {@link #closeInput()} does.
   *
   * @return the stream (one per session)
   */
  public WriteStream<Buffer> input() {
    return input;
  }

  /** Cancels the waiting expect (a blocking caller was interrupted); what it had not matched stays. */
  Future<Void> cancelExpect(String why) {
    return onContext(context, () -> {
      inner.cancelExpect(why);
      return Future.<Void>succeededFuture();
    });
  }

  private void matched(dev.promptly.engine.Conversation.MatchEvent e) {
    Match m = toMatch(e.match(), e.patterns().stream().map(Expectation::of).toList());
    Handler<Match> h = matchHandler;
    if (h != null) {
      h.handle(m);
    }
    if (options.isPublishEvents()) {
      context.owner().eventBus().publish(address + ".match", new JsonObject()
          .put("session", id).put("name", name()).put("pid", pid())
          .put("index", m.index()).put("pattern", m.pattern().toString())
          .put("before", m.before()).put("text", m.text())
          .put("groups", new JsonObject(new java.util.LinkedHashMap<>(m.groups()))));
    }
  }

  private void output(String text) {
    Handler<String> h = outputHandler;
    if (h != null) {
      h.handle(text);
    }
    output.write(text);
    if (options.isPublishEvents()) {
      context.owner().eventBus().publish(address + ".output", new JsonObject()
          .put("session", id).put("name", name()).put("pid", pid()).put("text", text));
    }
  }

  private static Match toMatch(MatchResult r, List<Expectation> patterns) {
    return new Match(r.branch(), patterns.get(r.branch()), r.before(), r.text(), r.groups(),
        r.beforeCut());
  }

  /** {@link #onContext}, refused once the session was closed. */
  private <T> Future<T> whileOpen(Supplier<Future<T>> action) {
    if (closed) {
      return Future.failedFuture(closedError());
    }
    return onContext(context, action);
  }

  private IllegalStateException closedError() {
    return new IllegalStateException("session " + name() + " (pid " + pid() + ") is closed");
  }

  /** Runs {@code action} on {@code context} (now, if already there); its result completes there. */
  private static <T> Future<T> onContext(Context context, Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      return call(action);
    }
    Promise<T> promise = Promise.promise();
    try {
      context.runOnContext(v -> call(action).onComplete(promise));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return Future.failedFuture(new IllegalStateException(
          "the session is closed: its Vert.x instance was closed", e));
    }
    return promise.future();
  }

  private static <T> Future<T> call(Supplier<Future<T>> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** {@link #output()}: chunks of output, buffered while paused or without demand. */
  private static final class OutputStream implements ReadStream<Buffer> {
    private final Context context;
    private final java.util.ArrayDeque<Buffer> held = new java.util.ArrayDeque<>();
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private long demand = Long.MAX_VALUE;
    private boolean ended;
    private boolean endDelivered;

    OutputStream(Context context) {
      this.context = context;
    }

    /** On the context: a chunk of output. */
    void write(String text) {
      held.add(Buffer.buffer(text));
      deliver();
    }

    /** On the context: the output ended. */
    void end() {
      ended = true;
      deliver();
    }

    private void deliver() {
      while (demand > 0 && !held.isEmpty() && handler != null) {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        handler.handle(held.poll());
      }
      if (ended && held.isEmpty() && !endDelivered && endHandler != null) {
        endDelivered = true;
        endHandler.handle(null);
      }
    }

    private ReadStream<Buffer> later() {
      context.runOnContext(v -> deliver());
      return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this; // the output of a child cannot fail; it ends
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      this.handler = handler;
      return later();
    }

    @Override
    public ReadStream<Buffer> pause() {
      demand = 0;
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      demand = Long.MAX_VALUE;
      return later();
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      if (amount > 0) {
        demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
      }
      return later();
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      this.endHandler = endHandler;
      return later();
    }
  }

  /** {@link #input()}: writes are sends, in order, with the child's backpressure. */
  private final class InputStream implements WriteStream<Buffer> {
    private Handler<Throwable> exceptionHandler;

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      this.exceptionHandler = handler;
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      Future<Void> f = send(data.toString(java.nio.charset.StandardCharsets.UTF_8));
      return f.onFailure(err -> {
        Handler<Throwable> h = exceptionHandler;
        if (h != null) {
          h.handle(err);
        }
      });
    }

    @Override
    public Future<Void> end() {
      return closeInput();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      inner.child().input().setWriteQueueMaxSize(maxSize);
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return inner.inputFull();
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      onContext(context, () -> {
        inner.onInputDrained(handler);
        return Future.<Void>succeededFuture();
      });
      return this;
    }
  }
}
