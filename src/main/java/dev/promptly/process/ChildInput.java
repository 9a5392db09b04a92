package dev.promptly.process;

import com.sun.jna.Memory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The child's input as a WriteStream over a non-blocking fd (the write end of a pipe, or a
 * duplicate of the pty master).
 *
 * <p>A write first tries the fd at once on the caller's thread (a non-blocking write(2): no thread
 * hop on the common path of a short line to a waiting child). What the fd does not take is queued
 * and the fd is registered for EPOLLOUT; from then on only the poller writes, until the queue is
 * empty again. The queue, the fd and the registration state are guarded by {@code lock}; the fd is
 * closed on the poller whenever it is registered, so the poller never holds an event for a
 * reused fd number. Futures and handlers complete on the child's context.
 */
final class ChildInput implements WriteStream<Buffer> {
  static final int DEFAULT_MAX_SIZE = 64 * 1024;
  private static final int CHUNK = 64 * 1024;
  static final String BROKEN_PIPE = "the child closed its input (broken pipe)";

  /** Per-thread copy area: Buffer bytes go through a heap array into native memory. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final class Scratch {
    final byte[] array = new byte[CHUNK];
    final Memory memory = new Memory(CHUNK);
  }

  private static final class Pending {
    final Buffer data; // null for a close marker
    final Promise<Void> promise;
    int offset;

    Pending(Buffer data, Promise<Void> promise) {
      this.data = data;
      this.promise = promise;
    }
  }

  /** What a flush leaves to do once the lock is released, on the context. */
  private static final class Outcome {
    List<Promise<Void>> done;
    List<Promise<Void>> failed;
    Throwable failure;
    boolean drained;

    void done(Promise<Void> p) {
      if (done == null) {
        done = new ArrayList<>(4);
      }
      done.add(p);
    }

    boolean isEmpty() {
      return done == null && failed == null && !drained;
    }
  }

  private final Context context;
  private final Poller poller;
  private final boolean pty;
  private final byte veof;
  private final Object lock = new Object();
  // Guarded by lock.
  private int fd;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private long queuedBytes;
  private int maxSize = DEFAULT_MAX_SIZE;
  private boolean closing;
  private boolean exited;
  private boolean armed;
  private boolean full;
  private boolean atLineStart = true;
  private Throwable failure;
  private Future<Void> closeFuture;
  private long token = -1;
  // Read on the context.
  private volatile Handler<Void> drainHandler;
  private volatile Handler<Throwable> exceptionHandler;

  ChildInput(int fd, Context context, Poller poller, boolean pty, byte veof) {
    this.fd = fd;
    this.context = context;
    this.poller = poller;
    this.pty = pty;
    this.veof = veof;
  }

  @Override
  public Future<Void> write(Buffer data) {
    Promise<Void> promise = Promise.promise();
    Outcome outcome = new Outcome();
    Throwable refused = null;
    synchronized (lock) {
      if (failure != null) {
        refused = failure;
      } else if (closing || fd < 0) {
        refused = new IOException(closing ? "input is closed" : "the child has exited");
      } else if (data.length() == 0) {
        outcome.done(promise);
      } else {
        enqueueLocked(data, promise);
        if (!armed) {
          flushLocked(outcome);
        }
      }
    }
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    dispatch(outcome);
    return promise.future();
  }

  private void enqueueLocked(Buffer data, Promise<Void> promise) {
    queue.add(new Pending(data, promise));
    queuedBytes += data.length();
    if (data.length() > 0) {
      byte last = data.getByte(data.length() - 1);
      atLineStart = last == '\n' || last == '\r';
    }
    if (queuedBytes >= maxSize) {
      full = true;
    }
  }

  /**
   * End of input after what is queued. On a pipe the fd is closed. On a pty the terminal's EOF
   * character (c_cc[VEOF], ^D by default) is written: the line discipline only reports end of file
   * on ^D at the start of a line, so when the last byte sent was not a newline, ^D is written twice
   * (the first hands the partial line to the reader, the second is the end). The pty fd stays open
   * (resize still works); later writes fail on both transports.
   */
  Future<Void> closeInput() {
    Promise<Void> promise = Promise.promise();
    Outcome outcome = new Outcome();
    synchronized (lock) {
      if (closeFuture != null) {
        return closeFuture;
      }
      closeFuture = promise.future();
      if (failure != null || fd < 0) {
        closing = true;
        outcome.done(promise);
      } else {
        if (pty) {
          Buffer eof = atLineStart ? Buffer.buffer(new byte[] {veof})
              : Buffer.buffer(new byte[] {veof, veof});
          enqueueLocked(eof, Promise.promise());
        }
        closing = true;
        queue.add(new Pending(null, promise));
        if (!armed) {
          flushLocked(outcome);
        }
      }
    }
    dispatch(outcome);
    return closeFuture;
  }

  /** Poller thread: the fd is writable (or in error). */
  private void onWritable(int events) {
    Outcome outcome = new Outcome();
    synchronized (lock) {
      flushLocked(outcome);
    }
    dispatch(outcome);
  }

  /** Poller thread: the child has exited; input still queued may yet reach a grandchild. */
  void onExit() {
    synchronized (lock) {
      exited = true;
      if (queue.isEmpty()) {
        closeFdLocked();
      }
    }
  }

  /** Poller thread: release everything now (terminate). */
  void closeNow() {
    Outcome outcome = new Outcome();
    synchronized (lock) {
      exited = true;
      failLocked(new IOException("the child was terminated"), outcome);
      outcome.failure = null; // the pending writes fail; the terminate is no stream error
    }
    dispatch(outcome);
  }

  /** Pty: lines read with ECHO off (false once the fd is closed: nothing is hidden then). */
  boolean hidesInput() {
    try (Memory termios = new Memory(LibC.TERMIOS_SIZE)) {
      synchronized (lock) {
        if (fd < 0 || LibC.tcgetattr(fd, termios) != 0) {
          return false;
        }
      }
      int lflag = termios.getInt(LibC.C_LFLAG_OFFSET);
      return (lflag & LibC.ECHO) == 0 && (lflag & LibC.ICANON) != 0;
    }
  }

  /** Pty: new window size through the master; false once the fd is closed. */
  boolean ioctl(long request, Memory arg) {
    synchronized (lock) {
      return fd >= 0 && LibC.ioctl(fd, request, arg) == 0;
    }
  }

  private void flushLocked(Outcome outcome) {
    while (fd >= 0 && !queue.isEmpty()) {
      Pending head = queue.peek();
      if (head.data == null) {
        queue.poll();
        if (!pty) {
          closeFdLocked();
        }
        outcome.done(head.promise);
        continue;
      }
      int len = Math.min(head.data.length() - head.offset, CHUNK);
      Scratch s = SCRATCH.get();
      head.data.getBytes(head.offset, head.offset + len, s.array, 0);
      s.memory.write(0, s.array, 0, len);
      long n = LibC.write(fd, s.memory, len);
      if (n < 0) {
        int errno = LibC.errno();
        if (errno == LibC.EINTR) {
          continue;
        }
        if (errno == LibC.EAGAIN) {
          armLocked();
          break;
        }
        failLocked(new IOException(errno == LibC.EPIPE ? BROKEN_PIPE
            : errno == LibC.EIO && pty ? "the child's terminal is closed"
            : "writing to the child failed: " + LibC.strerror0(errno)), outcome);
        return;
      }
      poller.wrote(); // the poller polls a little longer: the child's answer is near
      head.offset += (int) n;
      queuedBytes -= n;
      if (head.offset == head.data.length()) {
        queue.poll();
        outcome.done(head.promise);
      }
    }
    if (queue.isEmpty()) {
      disarmLocked();
      if (exited) {
        closeFdLocked();
      }
    }
    if (full && queuedBytes <= maxSize / 2) {
      full = false;
      outcome.drained = true;
    }
  }

  private void failLocked(Throwable error, Outcome outcome) {
    boolean first = failure == null;
    if (first) {
      failure = error;
    }
    for (Pending p : queue) {
      if (p.data == null) {
        outcome.done(p.promise); // the input is closed, which is what was asked
      } else {
        if (outcome.failed == null) {
          outcome.failed = new ArrayList<>();
        }
        outcome.failed.add(p.promise);
      }
    }
    queue.clear();
    queuedBytes = 0;
    if (first && error.getMessage() != null) {
      outcome.failure = error;
    }
    closeFdLocked();
    if (full) {
      full = false;
      outcome.drained = true;
    }
  }

  private void armLocked() {
    if (armed) {
      return;
    }
    armed = true;
    poller.execute(() -> {
      synchronized (lock) {
        if (armed && fd >= 0 && token < 0) {
          token = poller.add(fd, LibC.EPOLLOUT, this::onWritable);
        }
      }
    });
  }

  private void disarmLocked() {
    if (!armed) {
      return;
    }
    armed = false;
    if (token >= 0) {
      // armed was true, so only the poller flushes: this is the poller thread.
      poller.remove(fd, token);
      token = -1;
    }
  }

  private void closeFdLocked() {
    if (fd < 0) {
      return;
    }
    if (token >= 0) {
      poller.remove(fd, token);
      token = -1;
    }
    armed = false;
    LibC.close(fd);
    fd = -1;
  }

  private void dispatch(Outcome outcome) {
    if (outcome.isEmpty()) {
      return;
    }
    if (Context.isOnVertxThread() && Vertx.currentContext() == context) {
      complete(outcome);
    } else {
      try {
        context.runOnContext(v -> complete(outcome));
      } catch (RuntimeException e) {
        // Vert.x is closed: nobody is left to tell. Never let it escape onto the poller.
      }
    }
  }

  private void complete(Outcome outcome) {
    if (outcome.done != null) {
      for (Promise<Void> p : outcome.done) {
        p.tryComplete();
      }
    }
    if (outcome.failed != null) {
      for (Promise<Void> p : outcome.failed) {
        p.tryFail(failure());
      }
    }
    if (outcome.failure != null) {
      Handler<Throwable> h = exceptionHandler;
      if (h != null) {
        h.handle(outcome.failure);
      }
    }
    if (outcome.drained) {
      Handler<Void> h = drainHandler;
      if (h != null) {
        h.handle(null);
      }
    }
  }

  private Throwable failure() {
    synchronized (lock) {
      return failure;
    }
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    return this;
  }

  @Override
  public Future<Void> end() {
    return closeInput();
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("write queue max size must be positive: " + maxSize);
    }
    synchronized (lock) {
      this.maxSize = maxSize;
    }
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    synchronized (lock) {
      if (queuedBytes >= maxSize) {
        full = true;
        return true;
      }
      return false;
    }
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    drainHandler = handler;
    return this;
  }
}
