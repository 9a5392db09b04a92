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
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p><b>Events.</b> Besides {@link #matchHandler} and {@link #outputHandler}, the session
 * publishes on the Vert.x event bus, for code elsewhere in the application, unless
 * {@link ChildOptions#setPublishEvents} turned it off. The prefix is
 * {@link ChildOptions#getAddress()}, by default {@code promptly.session.<id>}
 * ({@link #address()}). Bodies are {@code JsonObject}s:
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
  private static final AtomicLong IDS = new AtomicLong();

  private final dev.promptly.engine.Conversation inner;
  private final Context context;
  private final ChildOptions options;
  private final String id;
  private final String address;
  private volatile Handler<Match> matchHandler;
  private volatile Handler<String> outputHandler;

  private Session(dev.promptly.engine.Conversation inner, Context context, ChildOptions options,
                  String id) {
    this.inner = inner;
    this.context = context;
    this.options = options;
    this.id = id;
    this.address = options.getAddress() != null ? options.getAddress()
        : ChildOptions.DEFAULT_ADDRESS_PREFIX + id;
    inner.onMatch(this::matched);
    inner.onOutput(this::output);
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
    String id = Long.toString(IDS.incrementAndGet());
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
   * The session's id, unique in this JVM; part of the default event bus address.
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
    return onContext(context, () -> inner.expect(specs, timeout)
        .map(r -> toMatch(r, list)));
  }

  /**
   * Sends text as is (no newline added), once the child's input has room.
   *
   * @param text the text, encoded as UTF-8
   * @return completes when written; fails with {@link IllegalStateException} after
   *     {@link #closeInput()}
   */
  public Future<Void> send(String text) {
    Objects.requireNonNull(text, "text");
    return onContext(context, () -> inner.send(text));
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
    return onContext(context, inner::closeInput);
  }

  /**
   * How the child ended, once it has exited and been reaped. No time limit: combine with a
   * timer, or use the blocking facade, to bound the wait.
   *
   * @return the exit status or signal
   */
  public Future<Exit> exit() {
    return onContext(context, () -> inner.exit().map(Exit::of));
  }

  /**
   * Sends a signal to the child's process group (the child and what it started).
   *
   * @param signal {@code "INT"}, {@code "SIGHUP"}, {@code "15"}, ...
   * @throws IllegalArgumentException for an unknown signal
   */
  public void signal(String signal) {
    int n = Signals.number(signal);
    if (n < 0) {
      throw new IllegalArgumentException("unknown signal '" + signal
          + "' (use TERM, INT, HUP, KILL, ...)");
    }
    onContext(context, () -> {
      inner.child().signal(n);
      return Future.succeededFuture();
    });
  }

  /**
   * Kills the child's process group now (SIGKILL) and reaps the child. A waiting expect fails.
   *
   * @return how the child ended (normally killed by SIGKILL)
   */
  public Future<Exit> kill() {
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
    return onContext(context, () -> inner.terminate(options.getGrace()).map(Exit::of));
  }

  /**
   * The last lines the child wrote (as failure messages show them, unescaped).
   *
   * @return at most the last 20 lines
   */
  public Future<List<String>> lastLines() {
    return onContext(context, () -> Future.succeededFuture(List.copyOf(inner.lastLines())));
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
    if (options.isPublishEvents()) {
      context.owner().eventBus().publish(address + ".output", new JsonObject()
          .put("session", id).put("name", name()).put("pid", pid()).put("text", text));
    }
  }

  private static Match toMatch(MatchResult r, List<Expectation> patterns) {
    return new Match(r.branch(), patterns.get(r.branch()), r.before(), r.text(), r.groups());
  }

  /** Runs {@code action} on {@code context} (now, if already there); its result completes there. */
  private static <T> Future<T> onContext(Context context, Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      return call(action);
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> call(action).onComplete(promise));
    return promise.future();
  }

  private static <T> Future<T> call(Supplier<Future<T>> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
