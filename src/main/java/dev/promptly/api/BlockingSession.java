package dev.promptly.api;

import dev.promptly.engine.Messages;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One child, driven by calls that wait for their result: the blocking facade over
 * {@link Session}, for scripts and tests. Each call waits at most the session's
 * {@link #timeout()} (default 10 s) and throws an unchecked exception whose message is as
 * helpful as the command line's: {@link ExpectFailure} names the patterns, the time against the
 * limit and the last lines received; {@link PromptlyException} says what else did not happen.
 *
 * <pre>{@code
 * try (BlockingSession s = Promptly.blocking().spawn("python3", "-i")) {
 *   s.expect(">>> ");
 *   s.sendLine("print('Вы ввели', 'Zoot')");
 *   Match m = s.expect(Expectation.regex("Вы ввели (?<who>\\w+)"));
 *   assert m.group("who").equals("Zoot");
 * }
 * }</pre>
 *
 * <p>{@link #close()} terminates the child's process group and reaps it. Not for Vert.x
 * event-loop threads (calls there throw {@link IllegalStateException}). Calls of one session
 * are meant for one thread at a time.
 */
public final class BlockingSession implements AutoCloseable {
  // The expect's own timer decides; this only covers a stalled event loop.
  private static final Duration MARGIN = Duration.ofSeconds(5);

  private final Expect owner;
  private final Session session;
  private volatile Duration timeout;
  private volatile boolean closed;

  BlockingSession(Expect owner, Session session, Duration timeout) {
    this.owner = owner;
    this.session = session;
    this.timeout = timeout;
  }

  /**
   * The asynchronous session underneath, for handlers and events.
   *
   * @return the session
   */
  public Session async() {
    return session;
  }

  /**
   * The session's name in messages.
   *
   * @return the name
   */
  public String name() {
    return session.name();
  }

  /**
   * The child's process id (also its process group's id).
   *
   * @return the pid
   */
  public long pid() {
    return session.pid();
  }

  /**
   * The time limit of an expect without one, and of every wait for a send, a close or the exit.
   *
   * @param timeout the limit
   * @return this
   */
  public BlockingSession setTimeout(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * The session's time limit.
   *
   * @return the limit
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Waits for literal text.
   *
   * @param literal the text (no wildcards)
   * @return the match
   * @throws ExpectFailure when the time runs out or the output ends first
   */
  public Match expect(String literal) {
    return expect(timeout, Expectation.literal(literal));
  }

  /**
   * Waits for the earliest match among {@code patterns}.
   *
   * @param patterns one or more patterns; {@link Expectation#eof()} and {@link Expectation#timeout()}
   *     listed make those outcomes ordinary matches
   * @return the match; {@link Match#index()} says which pattern
   * @throws ExpectFailure when the time runs out or the output ends first
   */
  public Match expect(Expectation... patterns) {
    return expect(timeout, patterns);
  }

  /**
   * Waits, up to {@code limit}, for the earliest match among {@code patterns}.
   *
   * @param limit the limit of this expect
   * @param patterns one or more patterns
   * @return the match
   * @throws ExpectFailure when the time runs out or the output ends first
   */
  public Match expect(Duration limit, Expectation... patterns) {
    try {
      return Expect.await(session.expect(limit, patterns), limit.plus(MARGIN),
          () -> name() + ": no answer from the session within "
              + Messages.duration(limit.plus(MARGIN)) + " (is its event loop blocked?)");
    } catch (PromptlyException e) {
      if (!(e instanceof ExpectFailure)) {
        // Interrupted, or no answer: the expect is given up, so the next call finds the session
        // free; what it had not matched stays for that call.
        session.cancelExpect("the waiting thread was interrupted");
      }
      throw e;
    }
  }

  /**
   * Waits for the end of the child's output; the output before it stays in
   * {@link Match#before()}.
   *
   * @return the match of {@link Expectation#eof()}
   * @throws ExpectFailure when the time runs out first
   */
  public Match expectEof() {
    return expect(timeout, Expectation.eof());
  }

  /**
   * Sends text as is; waits while the child's input is full.
   *
   * @param text the text
   * @throws PromptlyException when the child does not take it within the time limit
   */
  public void send(String text) {
    waitFor(session.send(text), "send " + shown(text));
  }

  /**
   * Sends the text and a newline.
   *
   * @param line the line, without its newline
   * @throws PromptlyException when the child does not take it within the time limit
   */
  public void sendLine(String line) {
    waitFor(session.sendLine(line), "send " + shown(line + "\n"));
  }

  /**
   * Sends a control character: {@code 'c'} for ^C, {@code 'd'} for ^D.
   *
   * @param key a letter, or one of {@code @ [ \ ] ^ _ ?}
   * @throws PromptlyException when the child does not take it within the time limit
   */
  public void sendControl(char key) {
    waitFor(session.sendControl(key), "send ^" + Character.toUpperCase(key));
  }

  /**
   * Ends the child's input: EOF on a pipe, ^D on a pseudo-terminal.
   *
   * @throws PromptlyException when that does not happen within the time limit
   */
  public void closeInput() {
    waitFor(session.closeInput(), "close the input");
  }

  /**
   * Sends a signal to the child's process group.
   *
   * @param signal {@code "INT"}, {@code "SIGHUP"}, {@code "15"}, ...
   */
  public void signal(String signal) {
    Expect.await(session.signal(signal), timeout, () -> name() + ": no answer");
  }

  /**
   * Waits, up to the time limit, for the child to exit.
   *
   * @return the exit status or signal
   * @throws PromptlyException when the child is still running after the limit
   */
  public Exit exit() {
    return exit(timeout);
  }

  /**
   * Waits, up to {@code limit}, for the child to exit.
   *
   * @param limit how long to wait
   * @return the exit status or signal
   * @throws PromptlyException when the child is still running after the limit, with the last
   *     lines it wrote
   */
  public Exit exit(Duration limit) {
    return Expect.await(session.exit(), limit, () -> name() + ": the child (pid " + pid()
        + ") was still running after " + Messages.duration(limit) + "\n" + lastLinesText());
  }

  /**
   * Kills the child's process group (SIGKILL) and waits until it is reaped.
   *
   * @return how the child ended
   */
  public Exit kill() {
    return Expect.await(session.kill(), timeout.plus(MARGIN),
        () -> name() + ": the child (pid " + pid() + ") could not be reaped after SIGKILL");
  }

  /**
   * The last lines the child wrote.
   *
   * @return at most the last 20 lines
   */
  public List<String> lastLines() {
    return Expect.await(session.lastLines(), timeout, () -> name() + ": no answer");
  }

  /**
   * Terminates the child's process group (SIGTERM, SIGKILL after the grace period) and waits
   * until the child is reaped; then releases what the session held. Harmless when called again
   * or after the child exited.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Expect.await(session.close(), session.grace().plus(timeout),
          () -> name() + ": the child (pid " + pid() + ") could not be reaped");
    } finally {
      owner.closed(this);
    }
  }

  /**
   * Sends a secret as is; it is masked ({@code ******}) from now on in this session's output,
   * last lines and messages. See {@link Session#sendSecret}.
   *
   * @param secret the secret
   * @throws PromptlyException when the child does not take it within the time limit
   */
  public void sendSecret(String secret) {
    waitFor(session.sendSecret(secret), "send a secret");
  }

  /**
   * Sends a secret and a newline; see {@link #sendSecret}.
   *
   * @param secret the secret, without its newline
   * @throws PromptlyException when the child does not take it within the time limit
   */
  public void sendSecretLine(String secret) {
    waitFor(session.sendSecretLine(secret), "send a secret");
  }

  /**
   * Waits for the earliest of several literal texts; {@link Match#index()} says which.
   *
   * @param literals the texts
   * @return the match
   * @throws ExpectFailure when none comes in time or the output ends
   */
  public Match expectAny(String... literals) {
    return expect(timeout, Expectation.literals(literals));
  }

  /**
   * Whether the child is still running.
   *
   * @return true until it has exited and been reaped
   */
  public boolean isAlive() {
    return session.isAlive();
  }

  /**
   * Changes the pseudo-terminal's size (the child gets SIGWINCH).
   *
   * @param rows lines
   * @param columns columns
   * @throws IllegalStateException over pipes
   */
  public void setWindowSize(int rows, int columns) {
    Expect.await(session.setWindowSize(rows, columns), timeout, () -> name() + ": no answer");
  }

  /** What a message shows of sent text: escaped, and cut when long (it may be a whole file). */
  private static String shown(String text) {
    String v = Messages.visible(text);
    return v.length() <= SHOWN_CHARS ? v : v.substring(0, SHOWN_CHARS) + "… ("
        + text.length() + " chars)";
  }

  private static final int SHOWN_CHARS = 80;

  private void waitFor(io.vertx.core.Future<Void> f, String what) {
    Expect.await(f, timeout, () -> name() + ": could not " + what + " within "
        + Messages.duration(timeout) + ": the child is not reading its input\n" + lastLinesText());
  }

  private String lastLinesText() {
    try {
      return Messages.lastLines(session.lastLines().toCompletionStage().toCompletableFuture()
          .get(1, java.util.concurrent.TimeUnit.SECONDS));
    } catch (Exception e) {
      return "(last lines unavailable)";
    }
  }
}
