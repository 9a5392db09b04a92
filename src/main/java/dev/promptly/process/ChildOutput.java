package dev.promptly.process;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The child's output as a ReadStream. Pausing never stops the reading: flow control here only
 * decides when buffered chunks reach the handler, so a paused consumer costs memory, never a stalled
 * child. All state is touched on the child's context only (the poller hops there first).
 *
 * <p>Until a handler is set, chunks are kept (as if paused), and the end is reported once every
 * kept chunk has been handed on and an end handler is set: a consumer that attaches late, or from
 * another thread, loses nothing.
 */
public final class ChildOutput implements ReadStream<Buffer> {
  private static final Logger LOG = LoggerFactory.getLogger(ChildOutput.class);
  private final Context context;
  private final ArrayDeque<Buffer> pending = new ArrayDeque<>();
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private boolean ended;
  private boolean endDelivered;
  private boolean delivering;

  public ChildOutput(Context context) {
    this.context = context;
  }

  // Called by the poller, through the context.

  public void onData(Buffer chunk) {
    pending.add(chunk);
    deliver();
  }

  public void onEnd() {
    ended = true;
    deliver();
  }

  public void onError(Throwable error) {
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      h.handle(error);
    } else if (context.exceptionHandler() != null) {
      context.exceptionHandler().handle(error);
    } else {
      LOG.warn("child output failed", error);
    }
  }

  private void deliver() {
    if (delivering) {
      return; // a handler called fetch/resume: the outer loop goes on
    }
    delivering = true;
    try {
      while (handler != null && demand > 0 && !pending.isEmpty()) {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        handler.handle(pending.poll());
      }
      if (ended && pending.isEmpty() && !endDelivered && endHandler != null) {
        endDelivered = true;
        endHandler.handle(null);
      }
    } finally {
      delivering = false;
    }
  }

  private void onContext(Runnable r) {
    if (Context.isOnVertxThread() && context == io.vertx.core.Vertx.currentContext()) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    onContext(() -> exceptionHandler = handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    onContext(() -> {
      this.handler = handler;
      deliver();
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    onContext(() -> demand = 0);
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    if (amount < 0) {
      throw new IllegalArgumentException("negative fetch: " + amount);
    }
    onContext(() -> {
      demand += amount;
      if (demand < 0) {
        demand = Long.MAX_VALUE;
      }
      deliver();
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    onContext(() -> {
      this.endHandler = endHandler;
      deliver();
    });
    return this;
  }
}
