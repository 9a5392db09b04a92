package dev.promptly.engine;

import dev.promptly.api.ExpectFailure;
import dev.promptly.api.Expectation;
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
import dev.promptly.process.VertxInternals;
import dev.promptly.report.RunInfo;
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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child and the two halves that talk to it, on the child's own Vert.x context: the output
 * consumer (reads every byte, decodes, feeds the matcher, fires match events) and the input writer
 * (sends, honouring backpressure). Every method must be called on {@link #context()}.
 */
public final class Conversation {
  static final Logger LOG = LoggerFactory.getLogger("promptly.engine");

  /** A match, as published to subscribers. */
  public record MatchEvent(String run, List<PatternSpec> patterns, MatchResult match) {
  }

  private final String run;
  private final Context context;
  private final ChildProcess child;
  private final Utf8Decoder decoder = new Utf8Decoder();
  // What leaves the engine is decoded from masked bytes: a second decoder, so the matcher's own
  // (which sees the real text) is never disturbed by a mask.
  private final Utf8Decoder shownDecoder = new Utf8Decoder();
  private static final byte[] NO_BYTES = new byte[0];
  /** True while nothing was ever masked: shown and matched text are one decoding. */
  private boolean sharedView = true;
  /** While shared: the bytes the decoder holds of a character split across reads. */
  private byte[] heldTail = NO_BYTES;
  private final SecretMasker masker;
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
  /** The one timer behind every expect's time limit (see {@link #armTimer}), or -1. */
  private long timerId = -1;
  /** When that timer fires, on {@link System#nanoTime}'s scale. */
  private long timerDue;
  private long bytesRead;
  private long bytesWritten;
  // UTF-8 length of all text fed to the matcher: match offsets in bytes.
  private long encodedFed;
  // Byte offsets are known only while the text maps back to the bytes one to one: no strip-ansi,
  // no invalid UTF-8 replaced.
  private boolean offsetsExact;
  private long lastMatchByteOffset = -1;
  /** Matcher positions of the '\n's whose '\r' the line-ending normalisation dropped. */
  private final java.util.ArrayDeque<Long> droppedCr = new java.util.ArrayDeque<>();
  private boolean inputClosed;
  /** Capture names whose values become secrets as soon as they are matched. */
  private java.util.Set<String> secretCaptures = java.util.Set.of();
  /**
   * True while a search runs off the loop (see {@link #offload}): the matcher then belongs to
   * that thread, and output and its end wait in {@link #queued}.
   */
  private boolean offloaded;
  private final java.util.ArrayDeque<String> queued = new java.util.ArrayDeque<>();
  private volatile boolean cancelSearch;
  /** Stands for the end of output in {@link #queued}. */
  private static final String END = new String("end of output");

  /**
   * How long one search may run on the event loop. A regex that needs more (a catastrophic
   * pattern, or a fair one over a huge window) goes on off the loop, until its step's limit, so
   * the loop's other runs, timers and signals never wait behind it.
   */
  static final long LOOP_BUDGET_NANOS = 25_000_000L;
  /** Search time spent on the loop in this turn (see {@link #onLoop}). */
  private long turnSpent;
  private boolean turnResetQueued;
  /** Below this, time spent is simply carried over (no task queued per search on the hot path). */
  private static final long TURN_RESET_NANOS = 1_000_000L;

  /** Where searches that outgrew {@link #LOOP_BUDGET_NANOS} finish: daemon threads, idle ones end. */
  private static final java.util.concurrent.ThreadPoolExecutor SLOW_SEARCHES;

  static {
    int n = Math.max(2, Runtime.getRuntime().availableProcessors());
    java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
    SLOW_SEARCHES = new java.util.concurrent.ThreadPoolExecutor(n, n, 200,
        java.util.concurrent.TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "promptly-slow-search-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    SLOW_SEARCHES.allowCoreThreadTimeOut(true);
  }

  private final class Pending {
    final List<PatternSpec> patterns;
    final Promise<MatchResult> promise = Promise.promise();
    final long startNanos = System.nanoTime();
    final Duration timeout;
    /** When the time runs out, on {@link System#nanoTime}'s scale (compared by difference). */
    final long deadline;
    /** The child was told the dialogue waits for its output (no timeout branch listed). */
    boolean awaiting;
    /** The time ran out while a search was off the loop: it was told to stop. */
    boolean timedOut;

    Pending(List<PatternSpec> patterns, Duration timeout) {
      this.patterns = patterns;
      this.timeout = timeout;
      this.deadline = startNanos + limitNanos(timeout);
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - startNanos);
    }
  }

  private Conversation(String run, Context context, ChildProcess child, boolean stripAnsi,
                  boolean normalizeLineEndings, int window, Secrets secrets,
                  RunObserver observer) {
    this.run = run;
    this.context = context;
    this.child = child;
    this.ansi = stripAnsi ? new AnsiFilter() : null;
    this.lineEndings = normalizeLineEndings ? new LineEndings() : null;
    // Filtered or normalised text no longer maps char for byte onto the transcript.
    // Filtered text no longer maps char for byte onto the transcript; normalised line endings
    // still do, through the positions of the '\r's dropped (droppedCr).
    this.offsetsExact = !stripAnsi;
    this.matcher = new PromptMatcher(window);
    this.secrets = secrets;
    this.masker = new SecretMasker(secrets);
    this.observer = observer;
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
  public static Conversation start(RunInfo info, Launcher launcher, SpawnOptions options,
                              Context context, boolean stripAnsi, boolean normalizeLineEndings,
                              int window, Secrets secrets, RunObserver observer)
      throws SpawnException {
    String run = info.name();
    ChildProcess child = launcher.spawn(options, context);
    Conversation s = new Conversation(run, context, child, stripAnsi, normalizeLineEndings, window, secrets,
        observer);
    if (LOG.isDebugEnabled()) {
      LOG.debug("[{}] spawn pid {} {}: {}", run, child.pid(),
          options.pty() ? "on a pty " + options.rows() + "x" + options.columns() : "over pipes",
          info.command());
    }
    observer.started(new RunInfo(run, info.file(), info.command(), child.pid(), info.quiet(),
        info.pty(), info.rows(), info.columns(), info.term(), info.started()));
    child.output().exceptionHandler(err -> s.onEnd());
    child.output().endHandler(v -> s.onEnd());
    child.output().handler(s::onOutput);
    // The child ends with its owner: the verticle that started it is undeployed, or the Vert.x
    // instance closed (on epoll the loop's end would kill it too, on NIO nothing else would).
    Runnable unhook = VertxInternals.onClose(context,
        done -> s.terminate(Duration.ZERO).onComplete(ar -> done.run()));
    child.exit().onComplete(ar -> {
      unhook.run();
      s.failWaitingSends("the child exited before it read what was sent");
    });
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

  /**
   * Byte offset, in the child's output, of the start of the last match, or -1 when unknown
   * (strip-ansi, or output that was not valid UTF-8). Read it when the match's future completes.
   */
  public long lastMatchByteOffset() {
    return lastMatchByteOffset;
  }

  /** Completes once the child's output has ended (all of it was consumed). */
  public Future<Void> outputEnded() {
    return outputEnded.future();
  }

  /**
   * Names of captures (named groups) whose values are secrets: each value is masked from the
   * moment it is matched, including in the output that holds it.
   */
  public void secretCaptures(java.util.Set<String> names) {
    secretCaptures = java.util.Set.copyOf(names);
  }

  /**
   * What the session is waiting for, as a failure would say it ("waiting 3.2s (limit 10s) for
   * "Password: " | eof"), or null when no expect is waiting.
   */
  public String waiting() {
    Pending p = pending;
    if (p == null) {
      return null;
    }
    return "waiting " + Messages.duration(p.elapsed()) + " (limit " + Messages.duration(p.timeout)
        + ") for " + p.patterns.stream().map(PatternSpec::toString)
        .collect(java.util.stream.Collectors.joining(" | "));
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
   * {@link ExpectFailure} when the time runs out (unless a timeout pattern is listed) or the
   * output ends first (unless eof is listed).
   */
  public Future<MatchResult> expect(List<PatternSpec> patterns, Duration timeout) {
    if (pending != null) {
      return Future.failedFuture(new IllegalStateException("an expect is already waiting"));
    }
    if (offloaded) {
      return Future.failedFuture(new IllegalStateException(
          "the last step's search is still being stopped"));
    }
    Pending p = new Pending(List.copyOf(patterns), timeout);
    pending = p;
    matcher.expect(p.patterns);
    Optional<MatchResult> now = onLoop(matcher::search);
    if (now != null && now.isEmpty() && matcher.isEof()) {
      now = onLoop(matcher::eof);
      if (now != null && now.isEmpty()) {
        fail(p, ExpectFailure.Reason.EOF);
        return p.promise.future();
      }
    }
    if (now != null && now.isPresent()) {
      complete(p, now.get());
    } else if (pending == p) {
      armTimer(p.deadline);
      // A listed timeout is a wait on purpose: the dialogue will move by itself.
      boolean listed = false;
      for (PatternSpec x : p.patterns) {
        listed |= x instanceof PatternSpec.Timeout;
      }
      if (!listed) {
        p.awaiting = true;
        child.awaitingOutput(true);
      }
    }
    return p.promise.future();
  }

  /**
   * Sends text as is. Sends are written in the order they were made: while the child's input is
   * full, later sends wait behind earlier ones (none is dropped, every future completes), and
   * they are written as the child makes room.
   */
  public Future<Void> send(String text) {
    if (inputClosed) {
      return Future.failedFuture(new IllegalStateException("input is already closed"));
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    bytesWritten += bytes.length;
    WriteStream<Buffer> in = child.input();
    if (waitingSends.isEmpty() && !in.writeQueueFull()) {
      return in.write(Buffer.buffer(bytes));
    }
    WaitingSend w = new WaitingSend(Buffer.buffer(bytes));
    waitingSends.add(w);
    if (waitingSends.size() == 1) {
      in.drainHandler(v -> writeWaiting());
    }
    return w.promise.future();
  }

  /** A send made while the child's input was full, waiting its turn (no data: closing input). */
  private record WaitingSend(Buffer data, Promise<Void> promise) {
    WaitingSend(Buffer data) {
      this(data, Promise.promise());
    }
  }

  private final java.util.ArrayDeque<WaitingSend> waitingSends = new java.util.ArrayDeque<>();

  /** The child's input has room again: write what waits, in order, while it has. */
  private void writeWaiting() {
    WriteStream<Buffer> in = child.input();
    while (!waitingSends.isEmpty() && !in.writeQueueFull()) {
      WaitingSend w = waitingSends.poll();
      (w.data == null ? child.closeInput() : in.write(w.data)).onComplete(w.promise);
    }
    if (waitingSends.isEmpty()) {
      Handler<Void> h = inputDrained;
      in.drainHandler(h == null ? null : v -> writeWaiting());
      if (h != null && !in.writeQueueFull()) {
        h.handle(null);
      }
    }
  }

  private Handler<Void> inputDrained;

  /** Whether a send now would wait for room (Vert.x's writeQueueFull, for a WriteStream face). */
  public boolean inputFull() {
    return !waitingSends.isEmpty() || child.input().writeQueueFull();
  }

  /** Called when the input has room again after {@link #inputFull()} (a WriteStream's drain). */
  public void onInputDrained(Handler<Void> handler) {
    inputDrained = handler;
    if (waitingSends.isEmpty()) {
      child.input().drainHandler(handler == null ? null : v -> writeWaiting());
    }
  }

  /** The sends still waiting for room fail: the child will never read them. */
  private void failWaitingSends(String why) {
    WaitingSend w;
    while ((w = waitingSends.poll()) != null) {
      w.promise.tryFail(new IllegalStateException(why));
    }
  }

  /** Ends the child's input: EOF on a pipe, the terminal's EOF character on a pty. */
  public Future<Void> closeInput() {
    if (inputClosed) {
      return Future.succeededFuture();
    }
    inputClosed = true;
    if (waitingSends.isEmpty()) {
      return child.closeInput();
    }
    WaitingSend close = new WaitingSend(null);
    waitingSends.add(close);
    return close.promise.future();
  }

  public Future<ExitStatus> exit() {
    return child.exit();
  }

  /**
   * Gives up the expect that is waiting, if any: it fails with {@code why}, and the output it had
   * not matched stays for the next expect (a blocking caller that was interrupted).
   */
  public void cancelExpect(String why) {
    Pending p = pending;
    if (p != null) {
      pending = null;
      settled(p);
      cancelSearch = true;
      if (!offloaded) {
        matcher.expect(List.of());
      }
      p.promise.tryFail(new java.util.concurrent.CancellationException(why));
    }
  }

  /** Sends a secret: it is masked from here on in the output, transcripts and messages. */
  public Future<Void> sendSecret(String text) {
    secrets.add(text);
    return send(text);
  }

  /** TERM to the child's process group, KILL after {@code grace}; completes once reaped. */
  public Future<ExitStatus> terminate(Duration grace) {
    Pending p = pending;
    if (p != null) {
      pending = null;
      settled(p);
      cancelSearch = true;
      p.promise.tryFail(new IllegalStateException("the session was terminated"));
    }
    disarmTimer();
    return child.terminate(grace);
  }

  private void onOutput(Buffer buffer) {
    byte[] raw = buffer.getBytes();
    bytesRead += raw.length;
    // Matched before it is shown: a secret captured from this very chunk is masked in it.
    String text = decoder.decode(raw, 0, raw.length);
    Optional<MatchResult> found = match(text);
    byte[] shown = masker.mask(raw);
    if (sharedView && shown != raw) {
      // The first chunk the masker changes: from here on what is shown is decoded on its own,
      // starting from what the real decoder held back of a character split before this chunk.
      sharedView = false;
      shownDecoder.decode(heldTail, 0, heldTail.length);
    }
    if (sharedView) {
      // Nothing to mask: the text shown is the text matched, decoded once (a flood's hot path).
      int k = decoder.pendingBytes();
      heldTail = k == 0 ? NO_BYTES : lastBytes(heldTail, raw, k);
      show(shown, text);
    } else {
      show(shown, shownDecoder.decode(shown, 0, shown.length));
    }
    found.ifPresent(this::completePending);
  }

  private void completePending(MatchResult m) {
    if (pending != null) {
      complete(pending, m);
    }
  }

  /** The last {@code k} bytes of {@code before} followed by {@code chunk}. */
  private static byte[] lastBytes(byte[] before, byte[] chunk, int k) {
    if (k <= chunk.length) {
      return Arrays.copyOfRange(chunk, chunk.length - k, chunk.length);
    }
    byte[] out = new byte[k];
    int fromBefore = k - chunk.length;
    System.arraycopy(before, before.length - fromBefore, out, 0, fromBefore);
    System.arraycopy(chunk, 0, out, fromBefore, chunk.length);
    return out;
  }

  /** Masked output, to the tail, the subscribers and the observer. */
  private void show(byte[] bytes, String text) {
    if (!text.isEmpty()) {
      tail.append(text);
      for (Handler<String> h : outputHandlers) {
        h.handle(text);
      }
    }
    if (bytes.length > 0 || !text.isEmpty()) {
      observer.output(run, bytes, text);
    }
  }

  /** The real text, to the matcher; the match it completes, if any (not yet handed over). */
  private Optional<MatchResult> match(String text) {
    if (text.isEmpty()) {
      return Optional.empty();
    }
    // ANSI first: a sequence between '\r' and '\n' (a line cleared) must not keep them apart.
    String forMatch = ansi == null ? text : ansi.filter(text);
    if (lineEndings != null) {
      long at = matcher.received();
      forMatch = lineEndings.normalize(forMatch, offsetsExact ? i -> droppedCr.add(at + i) : null);
    }
    return matchNormalized(forMatch);
  }

  private Optional<MatchResult> matchNormalized(String forMatch) {
    if (offloaded) {
      // The matcher is busy off the loop: this text waits its turn (offsets are lost then).
      offsetsExact = false;
      queued.add(forMatch);
      return Optional.empty();
    }
    if (offsetsExact) {
      // Unfiltered text is exactly the decoded bytes, less those of a character not yet whole.
      // (and less a '\r' held back by the line-ending normalisation)
      encodedFed = bytesRead - decoder.pendingBytes()
          - (lineEndings != null && lineEndings.holding() ? 1 : 0);
      offsetsExact = forMatch.indexOf('\ufffd') < 0;
    }
    Optional<MatchResult> r = onLoop(() -> matcher.feed(forMatch));
    // Dropped '\r's before what the matcher still holds can no longer matter: bounded memory.
    // (Not after a match: its own byte offset, computed when it is handed over, needs them.)
    while (r != null && r.isEmpty() && !droppedCr.isEmpty()
        && droppedCr.peekFirst() < matcher.position()) {
      droppedCr.pollFirst();
    }
    if (r == null) {
      return Optional.empty();
    }
    r.ifPresent(this::secretsOf);
    return r;
  }

  /** The values of secret captures of {@code m} become secrets. */
  private void secretsOf(MatchResult m) {
    if (!secretCaptures.isEmpty()) {
      m.groups().forEach((k, v) -> {
        if (secretCaptures.contains(k)) {
          secrets.add(v);
        }
      });
    }
  }

  /**
   * Runs a matcher call on the loop with a budget of {@link #LOOP_BUDGET_NANOS}. Null when the
   * budget ran out: the search then goes on off the loop ({@link #offload}) and its result comes
   * back later.
   */
  private Optional<MatchResult> onLoop(java.util.function.Supplier<Optional<MatchResult>> call) {
    // The budget is per turn of the event loop, not per search: one turn may deliver many chunks
    // (each searched), and together they must not hold the loop longer than the budget.
    long t0 = System.nanoTime();
    matcher.limit(t0 + LOOP_BUDGET_NANOS - turnSpent, () -> false);
    boolean slow = false;
    try {
      return call.get();
    } catch (PromptMatcher.TooSlow e) {
      slow = true;
      return null;
    } catch (StackOverflowError e) {
      // java.util.regex recurses per repetition: a pattern such as (a|b)* over a long text.
      Pending p = pending;
      if (p != null) {
        fail(p, ExpectFailure.Reason.TIMEOUT, "the pattern could not be searched (the regex "
            + "recursed too deeply; use possessive or bounded repeats)");
      }
      return Optional.empty();
    } finally {
      matcher.unlimited();
      if (slow) {
        // Only now, with the limit lifted here: the other thread sets its own.
        offload(pending);
      }
      turnSpent += System.nanoTime() - t0;
      if (turnSpent > TURN_RESET_NANOS && !turnResetQueued) {
        // What was spent counts until the loop has moved on to its next task.
        turnResetQueued = true;
        context.runOnContext(v -> {
          turnSpent = 0;
          turnResetQueued = false;
        });
      }
    }
  }

  /**
   * Finishes a search off the loop, limited by the step's own time limit. The matcher belongs to
   * that thread until the result is back on the context; output waits in {@link #queued}.
   */
  private void offload(Pending p) {
    if (p == null) {
      return;
    }
    offloaded = true;
    cancelSearch = false;
    long deadline = p.deadline;
    LOG.debug("[{}] a search took more than {} ms: it goes on off the event loop", run,
        LOOP_BUDGET_NANOS / 1_000_000);
    SLOW_SEARCHES.execute(() -> {
      Optional<MatchResult> r = Optional.empty();
      int slow = -2;
      matcher.limit(deadline, () -> cancelSearch);
      try {
        r = matcher.search();
      } catch (PromptMatcher.TooSlow e) {
        slow = e.branch();
      } catch (StackOverflowError | RuntimeException e) {
        slow = -1;
      } finally {
        matcher.unlimited();
      }
      Optional<MatchResult> found = r;
      int cut = slow;
      context.runOnContext(v -> searched(p, found, cut));
    });
  }

  /** Back on the context after {@link #offload}: {@code slow} is -2, or the branch cut. */
  private void searched(Pending p, Optional<MatchResult> r, int slow) {
    offloaded = false;
    if (pending != p) {
      matcher.expect(List.of());
    } else {
      if (r.isPresent()) {
        complete(p, r.get());
      } else if (slow != -2 || p.timedOut) {
        Optional<MatchResult> t = matcher.timeout();
        if (t.isPresent()) {
          complete(p, t.get());
        } else {
          String which = slow >= 0 && slow < p.patterns.size()
              ? "the pattern " + p.patterns.get(slow) : "a pattern";
          fail(p, ExpectFailure.Reason.TIMEOUT, slow == -2 ? null : which
              + " took too long: it was still searching when the step's time ran out (nested "
              + "repeats such as (a+)+ or (.*a){12} backtrack without end; simplify it)");
        }
      } else if (matcher.isEof()) {
        fail(p, ExpectFailure.Reason.EOF);
      }
    }
    while (!offloaded && !queued.isEmpty()) {
      String next = queued.poll();
      if (next == END) {
        endOfOutput();
      } else {
        matchNormalized(next).ifPresent(this::completePending);
      }
    }
  }

  private void onEnd() {
    if (outputEnded.future().isComplete()) {
      return;
    }
    byte[] held = masker.finish();
    String rest = decoder.finish();
    if (sharedView) {
      show(held, rest);
    } else {
      show(held, shownDecoder.decode(held, 0, held.length) + shownDecoder.finish());
    }
    match(rest).ifPresent(this::completePending);
    if (lineEndings != null) {
      String heldBack = lineEndings.finish();
      if (!heldBack.isEmpty()) {
        matchNormalized(heldBack).ifPresent(this::completePending);
      }
    }
    LOG.debug("[{}] output ended after {} bytes", run, bytesRead);
    observer.outputEnded(run);
    outputEnded.complete();
    if (offloaded) {
      queued.add(END);
    } else {
      endOfOutput();
    }
  }

  /** The matcher's part of the end of output. */
  private void endOfOutput() {
    Optional<MatchResult> r = onLoop(matcher::eof);
    Pending p = pending;
    if (r != null && p != null) {
      if (r.isPresent()) {
        complete(p, r.get());
      } else {
        fail(p, ExpectFailure.Reason.EOF);
      }
    }
    if (pending == null) {
      disarmTimer(); // every expect from here on is settled at once
    }
  }

  private void onTimeout(Pending p) {
    if (pending != p) {
      return;
    }
    if (offloaded) {
      // The search off the loop stops within a few thousand chars and reports back.
      p.timedOut = true;
      cancelSearch = true;
      return;
    }
    Optional<MatchResult> r = matcher.timeout();
    if (r.isPresent()) {
      complete(p, r.get());
    } else {
      fail(p, ExpectFailure.Reason.TIMEOUT);
    }
  }

  private void complete(Pending p, MatchResult m) {
    secretsOf(m);
    pending = null;
    settled(p);
    matcher.expect(List.of());
    lastMatchByteOffset = byteOffset(m);
    MatchEvent event = new MatchEvent(run, p.patterns, m);
    for (Handler<MatchEvent> h : matchHandlers) {
      h.handle(event);
    }
    p.promise.complete(m);
  }

  private void fail(Pending p, ExpectFailure.Reason reason) {
    fail(p, reason, null);
  }

  private void fail(Pending p, ExpectFailure.Reason reason, String why) {
    pending = null;
    settled(p);
    if (!offloaded) {
      matcher.expect(List.of());
    }
    p.promise.fail(new ExpectFailure(run, reason, p.patterns.stream()
        .map(Conversation::expectation).toList(), p.elapsed(), p.timeout,
        new ArrayList<>(tail.lines()), why));
  }

  /** The public face of a pattern, for the failure the caller sees. */
  private static Expectation expectation(PatternSpec spec) {
    if (spec instanceof PatternSpec.Literal l) {
      return Expectation.literal(l.text());
    }
    if (spec instanceof PatternSpec.Regex r) {
      return Expectation.regex(r.pattern().pattern());
    }
    return spec instanceof PatternSpec.Eof ? Expectation.eof() : Expectation.timeout();
  }

  /** Where {@code m} starts in bytes: the output fed so far, less the match and what follows. */
  private long byteOffset(MatchResult m) {
    if (!offsetsExact) {
      return -1;
    }
    if (m.start() == matcher.received()) {
      return encodedFed;
    }
    String after = matcher.unmatched();
    if (matcher.received() - m.end() != after.length()) {
      return -1;
    }
    // The '\r's dropped from the match and from what follows it were bytes too.
    long droppedAfter = 0;
    for (java.util.Iterator<Long> it = droppedCr.iterator(); it.hasNext(); ) {
      long p = it.next();
      if (p < m.start()) {
        it.remove(); // before this match: no match to come starts that early
      } else if (p > m.start()) {
        droppedAfter++;
      }
    }
    return encodedFed - utf8Length(after, 0, after.length())
        - utf8Length(m.text(), 0, m.text().length()) - droppedAfter;
  }

  static long utf8Length(CharSequence s, int from, int to) {
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < to
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** An expect is over: the child no longer counts on the dialogue waiting for it. */
  private void settled(Pending p) {
    if (p.awaiting) {
      p.awaiting = false;
      child.awaitingOutput(false);
    }
  }

  /** The longest limit kept exactly (a century): longer ones are as good as none. */
  private static final Duration MAX_LIMIT = Duration.ofDays(36_500);

  /** An expect's time limit in nanoseconds: whole milliseconds, at least one (as Vert.x's timers). */
  static long limitNanos(Duration timeout) {
    long ms = timeout.compareTo(MAX_LIMIT) > 0 ? MAX_LIMIT.toMillis()
        : Math.max(1, timeout.toMillis());
    return ms * 1_000_000L;
  }

  /**
   * Makes sure the timer fires by {@code due} ({@link System#nanoTime}'s scale). A timer armed
   * to fire earlier is kept: when it fires, it arms again for what the waiting expect has left.
   * So a step that matches again and again (a prompt loop: one expect per prompt) does not set
   * and cancel a timer per prompt, and an expect that ends leaves the timer be.
   */
  private void armTimer(long due) {
    if (timerId >= 0) {
      if (timerDue - due <= 0) {
        return;
      }
      context.owner().cancelTimer(timerId);
    }
    long now = System.nanoTime();
    long ms = Math.max(1, (due - now + 999_999) / 1_000_000);
    timerDue = now + ms * 1_000_000L;
    timerId = context.owner().setTimer(ms, this::onTimer);
  }

  private void onTimer(long id) {
    if (id != timerId) {
      return; // cancelled as it fired
    }
    timerId = -1;
    Pending p = pending;
    if (p == null) {
      return;
    }
    if (System.nanoTime() - p.deadline >= 0) {
      onTimeout(p);
    } else {
      armTimer(p.deadline);
    }
  }

  /** No expect can wait any more (the output ended, the session was terminated). */
  private void disarmTimer() {
    if (timerId >= 0) {
      context.owner().cancelTimer(timerId);
      timerId = -1;
    }
  }
}
