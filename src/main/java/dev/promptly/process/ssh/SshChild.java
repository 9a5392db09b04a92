package dev.promptly.process.ssh;

import dev.promptly.process.ChildOutput;
import dev.promptly.process.ChildProcess;
import dev.promptly.process.ExitStatus;
import dev.promptly.process.Signals;
import dev.promptly.process.SpawnException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.apache.sshd.client.channel.ChannelSession;
import org.apache.sshd.client.channel.PtyCapableChannelSession;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.PtyChannelConfiguration;
import org.apache.sshd.common.channel.PtyMode;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;

/**
 * A program on another host, behind the same face as a local child: its output (stdout and
 * stderr of the channel, merged) as a ReadStream on the run's context, its input with
 * backpressure, its exit status or signal from the server. {@link #pid()} is -1: the process is
 * not ours to see. Terminating sends SIGTERM through the channel (OpenSSH's sshd honours
 * "signal" requests), then closes the channel after the grace period, which hangs up the remote
 * session.
 */
public final class SshChild implements ChildProcess {
  /** A remote pseudo-terminal's settings; null for none. */
  public record Pty(int rows, int columns, boolean echo, String term) {
  }

  private final ClientSession session;
  private final ChannelSession channel;
  private final Context context;
  private final Pty pty;
  private final ChildOutput output;
  private final Input input;
  private final Promise<ExitStatus> exit = Promise.promise();
  private volatile boolean forced;

  private SshChild(ClientSession session, ChannelSession channel, Context context, Pty pty) {
    this.session = session;
    this.channel = channel;
    this.context = context;
    this.pty = pty;
    this.output = new ChildOutput(context);
    this.input = new Input();
  }

  /**
   * The server refused to open a channel (OpenSSH: "open failed", when a connection already
   * carries MaxSessions channels): the pool asks again elsewhere.
   */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Opens a channel on {@code session}; {@code opened} runs when the server confirmed it,
   * {@code closed} when it is closed (also after a refusal).
   */
  static Future<ChildProcess> open(ClientSession session, String command, Pty pty,
                                   Context context, Runnable opened, Runnable closed) {
    ChannelSession ch;
    try {
      PtyChannelConfiguration cfg = new PtyChannelConfiguration();
      if (pty != null) {
        cfg.setPtyColumns(pty.columns());
        cfg.setPtyLines(pty.rows());
        cfg.setPtyType(pty.term());
        Map<PtyMode, Integer> modes = new EnumMap<>(PtyMode.class);
        modes.putAll(PtyChannelConfiguration.DEFAULT_PTY_MODES);
        modes.put(PtyMode.ECHO, pty.echo() ? 1 : 0);
        cfg.setPtyModes(modes);
      }
      ch = command == null ? session.createShellChannel(cfg, Map.of())
          : session.createExecChannel(command, cfg, Map.of());
      ((PtyCapableChannelSession) ch).setUsePty(pty != null);
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(new SpawnException(SshConnections.reason(e)));
    }
    SshChild child = new SshChild(session, ch, context, pty);
    OutputStream out = child.new Out();
    ch.setOut(out);
    ch.setErr(out);
    ch.addCloseFutureListener(f -> {
      closed.run();
      context.runOnContext(v -> child.onClosed());
    });
    Promise<ChildProcess> ready = Promise.promise();
    try {
      ch.open().addListener(f -> {
        if (f.isOpened()) {
          opened.run();
          // The run goes on on its own context, never on MINA's I/O thread.
          context.runOnContext(v -> ready.complete(child));
        } else {
          Throwable e = f.getException();
          String why = "cannot open a channel on " + session.getConnectAddress() + ": "
              + (e == null ? "refused" : SshConnections.oneLine(e));
          ready.fail(e instanceof SshChannelOpenException ? new Refused(why)
              : new SpawnException(why));
          ch.close(true);
        }
      });
    } catch (IOException | RuntimeException e) {
      ch.close(true);
      return Future.failedFuture(new SpawnException(SshConnections.reason(e)));
    }
    return ready.future();
  }

  /** Bytes from MINA's threads, copied and handed to the run's context in order. */
  private final class Out extends OutputStream {
    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      Buffer chunk = Buffer.buffer(len).appendBytes(b, off, len);
      context.runOnContext(v -> output.onData(chunk));
    }
  }

  private void onClosed() {
    Integer code = channel.getExitStatus();
    String sig = channel.getExitSignal();
    ExitStatus status;
    if (sig != null) {
      int n = Signals.number(sig);
      status = ExitStatus.killed(n > 0 ? n : Signals.SIGKILL);
    } else if (code != null) {
      status = ExitStatus.exited(code);
    } else if (forced) {
      status = ExitStatus.killed(Signals.SIGKILL);
    } else {
      // The connection ended without a status: OpenSSH's client exits 255 then.
      status = ExitStatus.exited(255);
    }
    input.closed();
    output.onEnd();
    exit.tryComplete(status);
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
    return input.closeInput();
  }

  @Override
  public Future<ExitStatus> exit() {
    return exit.future();
  }

  /** A "signal" channel request (RFC 4254 6.9); servers that do not support it ignore it. */
  @Override
  public void signal(int signal) {
    if (!channel.isOpen()) {
      return;
    }
    try {
      String name = Signals.name(signal);
      org.apache.sshd.common.util.buffer.Buffer b =
          session.createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 32);
      b.putUInt(channel.getRecipient());
      b.putString("signal");
      b.putBoolean(false);
      b.putString(name.startsWith("SIG") ? name.substring(3) : name);
      session.writePacket(b);
    } catch (IOException | RuntimeException e) {
      SshConnections.LOG.debug("signal {} not sent: {}", signal, e.toString());
    }
  }

  @Override
  public Future<ExitStatus> terminate(Duration grace) {
    if (exit.future().isComplete()) {
      return exit.future();
    }
    signal(Signals.SIGTERM);
    long id = context.owner().setTimer(Math.max(1, grace.toMillis()), t -> {
      forced = true;
      channel.close(true);
    });
    exit.future().onComplete(ar -> context.owner().cancelTimer(id));
    return exit.future();
  }

  @Override
  public void resize(int rows, int columns) {
    if (pty != null && channel instanceof PtyCapableChannelSession p && channel.isOpen()) {
      try {
        p.sendWindowChange(columns, rows);
      } catch (IOException e) {
        SshConnections.LOG.debug("window change not sent: {}", e.toString());
      }
    }
  }

  @Override
  public boolean isPty() {
    return pty != null;
  }

  /**
   * The channel's input. MINA's stream blocks when the server's window is full, so writes run
   * in order on a worker; the queue of bytes not yet written is the backpressure measure.
   */
  private final class Input implements WriteStream<Buffer> {
    private int maxSize = 64 * 1024;
    private long queued;
    private boolean inputClosed;
    private Handler<Void> drain;
    private Handler<Throwable> errors;
    private Future<Void> last = Future.succeededFuture();

    @Override
    public Future<Void> write(Buffer data) {
      if (inputClosed) {
        return Future.failedFuture(new IOException("input closed"));
      }
      byte[] bytes = data.getBytes();
      OutputStream out = channel.getInvertedIn();
      if (last.isComplete() && channel.getRemoteWindow().getSize() >= bytes.length) {
        // The server's window has room: MINA's stream queues the packet without blocking, so
        // it is written here rather than through a worker thread (a hop less per send).
        try {
          out.write(bytes);
          out.flush();
          return Future.succeededFuture();
        } catch (IOException e) {
          if (errors != null) {
            errors.handle(e);
          }
          return Future.failedFuture(e);
        }
      }
      queued += bytes.length;
      Future<Void> f = last.transform(ignored -> context.executeBlocking(() -> {
        out.write(bytes);
        out.flush();
        return null;
      }));
      last = f;
      return f.andThen(ar -> {
        queued -= bytes.length;
        if (ar.failed() && errors != null) {
          errors.handle(ar.cause());
        }
        if (drain != null && queued <= maxSize / 2) {
          Handler<Void> h = drain;
          drain = null;
          h.handle(null);
        }
      });
    }

    Future<Void> closeInput() {
      if (inputClosed) {
        return last;
      }
      if (pty != null) {
        // As on a local pty: the terminal's EOF character after what is pending.
        Future<Void> f = write(Buffer.buffer(new byte[] {4}));
        inputClosed = true;
        return f;
      }
      inputClosed = true;
      last = last.transform(ignored -> context.executeBlocking(() -> {
        channel.getInvertedIn().close();
        return null;
      }));
      return last;
    }

    void closed() {
      inputClosed = true;
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      errors = handler;
      return this;
    }

    @Override
    public Future<Void> end() {
      return closeInput();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      this.maxSize = maxSize;
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return queued >= maxSize;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      drain = handler;
      return this;
    }
  }
}
