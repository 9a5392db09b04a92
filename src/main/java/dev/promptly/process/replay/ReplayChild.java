package dev.promptly.process.replay;

import dev.promptly.process.ChildOutput;
import dev.promptly.process.ChildProcess;
import dev.promptly.process.ExitStatus;
import dev.promptly.process.SpawnException;
import dev.promptly.process.SpawnOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake child that plays an asciicast v2 recording (as promptly writes for pty runs): it writes
 * the recorded output ({@code "o"} events) with the recorded pacing divided by the speed, and at
 * each recorded input ({@code "i"} events) waits until the dialogue has sent it. What the dialogue
 * sends is checked as it comes against the recorded input: the first write that departs from it
 * fails with a diagnostic naming what the recording expected and what came, so the run fails at
 * once instead of at the step's timeout. Played to its end, the output ends and it exits 0.
 *
 * <p>Recorded input masked as {@code ******} (a secret) matches whatever is sent up to the end of
 * that line. Pauses longer than {@link #IDLE_LIMIT} are shortened to it, as asciinema's
 * {@code idle_time_limit} does: a recording of a person thinking should not slow a test.
 */
public final class ReplayChild implements ChildProcess {
  /** argv[0] that names this fake child: {@code [PROGRAM, /abs/file.cast, speed]}. */
  public static final String PROGRAM = "promptly:replay";
  static final Duration IDLE_LIMIT = Duration.ofSeconds(1);
  static final String MASK = "******";
  /** A send already under way when the dialogue starts waiting gets this long to arrive. */
  static final long STALL_GRACE_MS = 300;

  private record Event(double time, boolean input, String data) {
  }

  private final Path file;
  private final double speed;
  private final boolean pty;
  private final Context context;
  private final List<Event> events;
  private final String expectedInput;
  private final ChildOutput output;
  private final Input input = new Input();
  private final Promise<ExitStatus> exit = Promise.promise();
  // On the context only.
  private final StringBuilder received = new StringBuilder();
  private int cursor;
  private int inputNeeded; // chars of expectedInput the current input event needs
  private double clock;
  private long timer = -1;
  private boolean waiting;
  private boolean done;
  private boolean dialogueWaits;
  private long stallTimer = -1;

  private ReplayChild(Path file, double speed, boolean pty, Context context, List<Event> events) {
    this.file = file;
    this.speed = speed;
    this.pty = pty;
    this.context = context;
    this.events = events;
    StringBuilder in = new StringBuilder();
    for (Event e : events) {
      if (e.input()) {
        in.append(e.data());
      }
    }
    this.expectedInput = in.toString();
    this.output = new ChildOutput(context);
  }

  /** Starts playing {@code options.argv()} = [PROGRAM, file, speed]. */
  public static ChildProcess start(SpawnOptions options, Context context) throws SpawnException {
    List<String> argv = options.argv();
    if (argv.size() != 3) {
      throw new SpawnException("replay needs a recording and a speed");
    }
    Path file = Path.of(argv.get(1));
    double speed;
    try {
      speed = Double.parseDouble(argv.get(2));
    } catch (NumberFormatException e) {
      throw new SpawnException("replay speed is not a number: " + argv.get(2));
    }
    ReplayChild child = new ReplayChild(file, speed, options.pty(), context, read(file));
    context.runOnContext(v -> child.advance());
    return child;
  }

  private static List<Event> read(Path file) throws SpawnException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SpawnException("cannot read the recording " + file + ": " + e.getMessage());
    }
    if (lines.isEmpty() || !lines.get(0).trim().startsWith("{")) {
      throw new SpawnException(file + ":1: not an asciicast v2 recording (no header line)");
    }
    List<Event> events = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      try {
        JsonArray a = new JsonArray(line);
        String kind = a.getString(1);
        if ("o".equals(kind) || "i".equals(kind)) {
          events.add(new Event(a.getNumber(0).doubleValue(), "i".equals(kind), a.getString(2)));
        }
      } catch (RuntimeException e) {
        throw new SpawnException(file + ":" + (i + 1) + ": not an asciicast event "
            + "[time, \"o\" or \"i\", text]: " + e.getMessage());
      }
    }
    return List.copyOf(events);
  }

  /** Plays on from the cursor: output after its pause, or a wait for input. */
  private void advance() {
    timer = -1;
    while (!done && cursor < events.size()) {
      Event e = events.get(cursor);
      if (e.input()) {
        inputNeeded += e.data().length();
        clock = e.time();
        cursor++;
        if (check() < inputNeeded) {
          waiting = true;
          stallCheck();
          return;
        }
        continue;
      }
      long ms = (long) (Math.min(Math.max(0, e.time() - clock), IDLE_LIMIT.toMillis() / 1000.0)
          * 1000 / speed);
      if (ms > 0 && timer < 0) {
        timer = context.owner().setTimer(ms, id -> {
          clock = e.time();
          advance();
        });
        return;
      }
      clock = e.time();
      cursor++;
      output.onData(Buffer.buffer(e.data()));
    }
    if (!done && cursor >= events.size()) {
      finish(ExitStatus.exited(0));
    }
  }

  @Override
  public void awaitingOutput(boolean waits) {
    onContext(() -> {
      dialogueWaits = waits;
      stallCheck();
      return Future.succeededFuture();
    });
  }

  /**
   * The recording waits for input while the dialogue waits for output: neither will move. Said
   * in the output (so the failed step shows it) and the output ends, rather than the step
   * waiting out its time limit.
   */
  private void stallCheck() {
    if (stallTimer >= 0) {
      context.owner().cancelTimer(stallTimer);
      stallTimer = -1;
    }
    if (dialogueWaits && waiting && !done) {
      stallTimer = context.owner().setTimer(STALL_GRACE_MS, id -> {
        stallTimer = -1;
        if (dialogueWaits && waiting && !done) {
          int have = Math.max(0, check());
          output.onData(Buffer.buffer("\r\n[promptly replay] the recording " + file.getFileName()
              + " waits here for input \"" + visible(firstLine(expectedInput.substring(have,
              Math.max(have, inputNeeded)))) + "\", but the dialogue sent nothing and waits for"
              + " output\r\n"));
          finish(ExitStatus.exited(1));
        }
      });
    }
  }

  private void finish(ExitStatus status) {
    if (done) {
      return;
    }
    done = true;
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
      timer = -1;
    }
    output.onEnd();
    exit.tryComplete(status);
  }

  /**
   * How much of the expected input what was received satisfies: chars of expectedInput, or -1
   * on a mismatch. A mask takes whatever comes up to the end of its line.
   */
  private int check() {
    int e = 0;
    int r = 0;
    while (r < received.length()) {
      if (e >= expectedInput.length()) {
        return -1;
      }
      if (expectedInput.startsWith(MASK, e)) {
        int end = received.indexOf("\n", r);
        int endR = received.indexOf("\r", r);
        if (endR >= 0 && (end < 0 || endR < end)) {
          end = endR;
        }
        if (end < 0) {
          return e; // inside the secret: not yet past it
        }
        r = end;
        e += MASK.length();
        continue;
      }
      if (expectedInput.charAt(e) != received.charAt(r)) {
        return -1;
      }
      e++;
      r++;
    }
    return e;
  }

  private String mismatch() {
    int e = 0;
    int r = 0;
    // Find where the two part, for the diagnostic (masks compare as in check()).
    while (r < received.length() && e < expectedInput.length()) {
      if (expectedInput.startsWith(MASK, e)) {
        int end = received.indexOf("\n", r);
        if (end < 0) {
          break;
        }
        r = end;
        e += MASK.length();
      } else if (expectedInput.charAt(e) == received.charAt(r)) {
        e++;
        r++;
      } else {
        break;
      }
    }
    String want = e >= expectedInput.length() ? "no more input (the recording has none left)"
        : "\"" + visible(firstLine(expectedInput.substring(e))) + "\"";
    return "the recording " + file.getFileName() + " expected " + want + " but the dialogue sent \""
        + visible(firstLine(received.substring(r))) + "\"";
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl >= 0 ? s.substring(0, nl + 1) : s;
    return line.length() > 80 ? line.substring(0, 80) + "..." : line;
  }

  private static String visible(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** On the context: what the dialogue sent. */
  private Future<Void> onInput(Buffer data) {
    if (done) {
      return Future.failedFuture(new IOException("the replay has ended"));
    }
    received.append(data.toString(StandardCharsets.UTF_8));
    int satisfied = check();
    if (satisfied < 0) {
      String why = mismatch();
      finish(ExitStatus.exited(1));
      return Future.failedFuture(new IOException(why));
    }
    if (waiting && satisfied >= inputNeeded) {
      waiting = false;
      stallCheck();
      advance();
    }
    return Future.succeededFuture();
  }

  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> action) {
    if (Context.isOnVertxThread() && io.vertx.core.Vertx.currentContext() == context) {
      return action.get();
    }
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(p));
    return p.future();
  }

  @Override
  public long pid() {
    return -1;
  }

  @Override
  public ReadStream<Buffer> output() {
    return output;
  }

  @Override
  public WriteStream<Buffer> input() {
    return input;
  }

  @Override
  public Future<Void> closeInput() {
    return onContext(() -> {
      input.closed = true;
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<ExitStatus> exit() {
    return exit.future();
  }

  @Override
  public void signal(int signal) {
    onContext(() -> {
      if (signal == 9 || signal == 15 || signal == 2 || signal == 1) {
        finish(ExitStatus.killed(signal));
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<ExitStatus> terminate(Duration grace) {
    signal(15);
    return exit.future();
  }

  @Override
  public void resize(int rows, int columns) {
    // A recording has the size it was made at.
  }

  @Override
  public boolean isPty() {
    return pty;
  }

  /** The dialogue's side: every write is checked against the recording on the context. */
  private final class Input implements WriteStream<Buffer> {
    volatile boolean closed;

    @Override
    public Future<Void> write(Buffer data) {
      if (closed) {
        return Future.failedFuture(new IOException("input is closed"));
      }
      return onContext(() -> onInput(data));
    }

    @Override
    public Future<Void> end() {
      return closeInput();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
