package dev.promptly.engine;

import dev.promptly.match.AnsiFilter;
import dev.promptly.match.LineEndings;
import dev.promptly.match.LineTail;
import dev.promptly.match.MatchResult;
import dev.promptly.match.PatternSpec;
import dev.promptly.match.PromptMatcher;
import dev.promptly.match.Utf8Decoder;
import dev.promptly.process.ChildProcess;
import dev.promptly.process.ExitStatus;
import dev.promptly.process.Launcher;
import dev.promptly.process.SpawnException;
import dev.promptly.process.SpawnOptions;
import dev.promptly.report.RunObserver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One child and the two halves that talk to it, on the child's own Vert.x context: the output
 * consumer (reads every byte, decodes, feeds the matcher, fires match events) and the input writer
 * (sends, honouring backpressure). Every method must be called on {@link #context()}.
 */
public final class Session {

  /** A match, as published to subscribers. */
  public record MatchEvent(String run, List<PatternSpec> patterns, MatchResult match) {
  }

  private final String run;
  private final Context context;
  private final ChildProcess child;
  private final Utf8Decoder decoder = new Utf8Decoder();
  private final AnsiFilter ansi;
  private final LineEndings lineEndings;
  private final PromptMatcher matcher;
  private final LineTail tail = new LineTail();
  private final Secrets secrets;
  private final RunObserver observer;
  private final Promise<Void> outputEnded = Promise.promise();
  private final List<Handler<MatchEvent>> matchHandlers = new CopyOnWriteArrayList<>();
  private final List<Handler<String>> outputHandlers = new CopyOnWriteArrayList<>();
  private Pending pending;
  private long bytesRead;
  private long bytesWritten;
  private boolean inputClosed;

  private final class Pending {
    final List<PatternSpec> patterns;
    final Promise<MatchResult> promise = Promise.promise();
    final long startNanos = System.nanoTime();
    final Duration timeout;
    long timer = -1;

    Pending(List<PatternSpec> patterns, Duration timeout) {
      this.patterns = patterns;
      this.timeout = timeout;
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - startNanos);
    }
  }

  private Session(String run, Context context, ChildProcess child, boolean stripAnsi,
                  boolean normalizeLineEndings, int window, Secrets secrets,
                  RunObserver observer) {
    this.run = run;
    this.context = context;
    this.child = child;
    this.ansi = stripAnsi ? new AnsiFilter() : null;
    this.lineEndings = normalizeLineEndings ? new LineEndings() : null;
    this.matcher = new PromptMatcher(window);
    this.secrets = secrets;
    this.observer = observer;
  }

  /**
   * Starts a child and its consumer. Must be called on {@code context}. On a pty the matcher sees
   * {@code "\r\n"} as {@code "\n"} (see the other overload).
   *
   * @throws SpawnException when the program cannot be started
   */
  public static Session start(String run, Launcher launcher, SpawnOptions options, Context context,
                              boolean stripAnsi, int window, Secrets secrets,
                              RunObserver observer, boolean quiet) throws SpawnException {
    return start(run, launcher, options, context, stripAnsi, options.pty(), window, secrets,
        observer, quiet);
  }

  /**
   * Starts a child and its consumer. Must be called on {@code context}.
   *
   * @param stripAnsi remove ANSI escape sequences from the text the matcher sees
   * @param normalizeLineEndings let the matcher see {@code "\r\n"} as {@code "\n"}, undoing
   *     what a terminal does to a program's newlines, so a dialogue written for pipes matches on
   *     a pty. Applied after {@code stripAnsi}. Match offsets then count the normalised text.
   *     Observers, the transcript and the last lines keep the output as it came.
   * @throws SpawnException when the program cannot be started
   */
  public static Session start(String run, Launcher launcher, SpawnOptions options, Context context,
                              boolean stripAnsi, boolean normalizeLineEndings, int window,
                              Secrets secrets, RunObserver observer, boolean quiet)
      throws SpawnException {
    ChildProcess child = launcher.spawn(options, context);
    Session s = new Session(run, context, child, stripAnsi, normalizeLineEndings, window, secrets,
        observer);
    observer.started(run, child.pid(), quiet);
    child.output().exceptionHandler(err -> s.onEnd());
    child.output().endHandler(v -> s.onEnd());
    child.output().handler(s::onOutput);
    return s;
  }

  public Context context() {
    return context;
  }

  public ChildProcess child() {
    return child;
  }

  public String run() {
    return run;
  }

  public long bytesRead() {
    return bytesRead;
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  public List<String> lastLines() {
    return tail.lines();
  }

  /** Completes once the child's output has ended (all of it was consumed). */
  public Future<Void> outputEnded() {
    return outputEnded.future();
  }

  /** Subscribes to matches. */
  public void onMatch(Handler<MatchEvent> handler) {
    matchHandlers.add(handler);
  }

  /** Subscribes to decoded output (secrets masked). */
  public void onOutput(Handler<String> handler) {
    outputHandlers.add(handler);
  }

  /**
   * Waits for the earliest match among {@code patterns} in the output not yet matched. Fails with
   * {@link ExpectException} when the time runs out (unless a timeout pattern is listed) or the
   * output ends first (unless eof is listed).
   */
  public Future<MatchResult> expect(List<PatternSpec> patterns, Duration timeout) {
    if (pending != null) {
      return Future.failedFuture(new IllegalStateException("an expect is already waiting"));
    }
    Pending p = new Pending(List.copyOf(patterns), timeout);
    pending = p;
    matcher.expect(p.patterns);
    Optional<MatchResult> now = matcher.search();
    if (now.isEmpty() && matcher.isEof()) {
      now = matcher.eof();
      if (now.isEmpty()) {
        fail(p, ExpectException.Reason.EOF);
        return p.promise.future();
      }
    }
    if (now.isPresent()) {
      complete(p, now.get());
    } else {
      p.timer = context.owner().setTimer(Math.max(1, timeout.toMillis()), id -> onTimeout(p));
    }
    return p.promise.future();
  }

  /** Sends text as is. Waits for room when the child's input is full. */
  public Future<Void> send(String text) {
    if (inputClosed) {
      return Future.failedFuture(new IllegalStateException("input is already closed"));
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    bytesWritten += bytes.length;
    WriteStream<Buffer> in = child.input();
    if (!in.writeQueueFull()) {
      return in.write(Buffer.buffer(bytes));
    }
    Promise<Void> drained = Promise.promise();
    in.drainHandler(v -> {
      in.drainHandler(null);
      drained.tryComplete();
    });
    return drained.future().compose(v -> in.write(Buffer.buffer(bytes)));
  }

  /** Ends the child's input: EOF on a pipe, the terminal's EOF character on a pty. */
  public Future<Void> closeInput() {
    if (inputClosed) {
      return Future.succeededFuture();
    }
    inputClosed = true;
    return child.closeInput();
  }

  public Future<ExitStatus> exit() {
    return child.exit();
  }

  /** TERM to the child's process group, KILL after {@code grace}; completes once reaped. */
  public Future<ExitStatus> terminate(Duration grace) {
    Pending p = pending;
    if (p != null) {
      pending = null;
      cancelTimer(p);
      p.promise.tryFail(new IllegalStateException("the session was terminated"));
    }
    return child.terminate(grace);
  }

  private void onOutput(Buffer buffer) {
    byte[] raw = buffer.getBytes();
    bytesRead += raw.length;
    deliver(raw, decoder.decode(raw, 0, raw.length));
  }

  private void deliver(byte[] raw, String text) {
    String shown = secrets.mask(text);
    if (!shown.isEmpty()) {
      tail.append(shown);
      for (Handler<String> h : outputHandlers) {
        h.handle(shown);
      }
    }
    observer.output(run, raw, shown);
    // ANSI first: a sequence between '\r' and '\n' (a line cleared) must not keep them apart.
    String forMatch = ansi == null ? text : ansi.filter(text);
    if (lineEndings != null) {
      forMatch = lineEndings.normalize(forMatch);
    }
    feed(forMatch);
  }

  private void feed(String forMatch) {
    Optional<MatchResult> r = matcher.feed(forMatch);
    if (pending != null && r.isPresent()) {
      complete(pending, r.get());
    }
  }

  private void onEnd() {
    if (outputEnded.future().isComplete()) {
      return;
    }
    String rest = decoder.finish();
    if (!rest.isEmpty()) {
      deliver(new byte[0], rest);
    }
    if (lineEndings != null) {
      String held = lineEndings.finish();
      if (!held.isEmpty()) {
        feed(held);
      }
    }
    observer.outputEnded(run);
    Optional<MatchResult> r = matcher.eof();
    outputEnded.complete();
    Pending p = pending;
    if (p != null) {
      if (r.isPresent()) {
        complete(p, r.get());
      } else {
        fail(p, ExpectException.Reason.EOF);
      }
    }
  }

  private void onTimeout(Pending p) {
    if (pending != p) {
      return;
    }
    Optional<MatchResult> r = matcher.timeout();
    if (r.isPresent()) {
      complete(p, r.get());
    } else {
      fail(p, ExpectException.Reason.TIMEOUT);
    }
  }

  private void complete(Pending p, MatchResult m) {
    pending = null;
    cancelTimer(p);
    matcher.expect(List.of());
    MatchEvent event = new MatchEvent(run, p.patterns, m);
    for (Handler<MatchEvent> h : matchHandlers) {
      h.handle(event);
    }
    p.promise.complete(m);
  }

  private void fail(Pending p, ExpectException.Reason reason) {
    pending = null;
    cancelTimer(p);
    matcher.expect(List.of());
    p.promise.fail(new ExpectException(reason, p.patterns, p.elapsed(), p.timeout,
        new ArrayList<>(tail.lines())));
  }

  private void cancelTimer(Pending p) {
    if (p.timer >= 0) {
      context.owner().cancelTimer(p.timer);
      p.timer = -1;
    }
  }
}
