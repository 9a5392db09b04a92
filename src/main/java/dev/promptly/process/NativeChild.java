package dev.promptly.process;

import com.sun.jna.Memory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child started by {@link NativeLauncher}: its output fd and pidfd are watched by its
 * {@link Poller}, its input is a {@link ChildInput}.
 *
 * <p>Exit is observed without reaping (waitid with WNOWAIT): the zombie keeps the pid, and so the
 * process group id, from being reused while the output may still be open, so signalling the group
 * stays safe until the child is reaped. The child is reaped when both its exit is known and its
 * output has ended, or by {@link #terminate}, which first SIGKILLs the whole group.
 */
final class NativeChild implements ChildProcess {
  private static final Logger LOG = LoggerFactory.getLogger(NativeChild.class);
  /**
   * Bytes read but not yet handed to the output stream on the child's context. Above this the
   * poller stops reading this child until the context has caught up to half of it: a child
   * that writes faster than its context can decode and match would otherwise fill the heap with
   * queued chunks, and its timers (the step's timeout) would wait behind them for seconds.
   */
  static final long MAX_IN_FLIGHT = 1024 * 1024;

  private final int pid;
  private final boolean pty;
  private final Context context;
  final Poller poller; // package-private for tests
  private final ChildOutput output;
  private final ChildInput input;
  private final Promise<ExitStatus> exit = Promise.promise();
  /** Held while signalling and while reaping, so no signal can follow the reap. */
  private final Object reapLock = new Object();
  private boolean reaped; // guarded by reapLock
  // Poller-thread state.
  private int outFd;
  private int pidfd;
  private long outToken = -1;
  private long pidToken = -1;
  private ExitStatus status;
  private boolean terminating;
  private long killTimer = -1;
  private final List<Promise<ExitStatus>> terminations = new ArrayList<>(1);
  private final AtomicLong inFlight = new AtomicLong();
  /** Set on the poller when it stops reading; whoever clears it re-registers the fd. */
  private final AtomicBoolean throttled = new AtomicBoolean();

  /**
   * Every child not yet reaped, in this JVM: what the JVM's exit kills (see {@link #LEFTOVERS}).
   * A library user's program may end (System.exit, the end of main, SIGTERM) while sessions are
   * open; their children, over pipes, would run on unowned.
   */
  private static final Set<NativeChild> LIVE = ConcurrentHashMap.newKeySet();

  /**
   * At the JVM's exit, whatever is still alive is killed with its session. Not reaped: the JVM's
   * end hands the zombies to init. Nothing can be done on SIGKILL of the JVM itself; a pty child
   * then still gets SIGHUP when the master closes.
   */
  private static final Thread LEFTOVERS = new Thread(NativeChild::killLeftovers,
      "promptly-kill-children");

  static {
    try {
      Runtime.getRuntime().addShutdownHook(LEFTOVERS);
    } catch (IllegalStateException e) {
      // Already shutting down: there is nothing left to protect.
    }
  }

  /** Holding reapLock: the child is reaped (or lost); the JVM's exit need not kill it. */
  private void markReaped() {
    reaped = true;
    LIVE.remove(this);
  }

  static void killLeftovers() {
    for (NativeChild child : LIVE) {
      child.signalSession(Signals.SIGKILL);
    }
  }

  /** How many children of this JVM are not yet reaped (for tests and diagnostics). */
  static int liveCount() {
    return LIVE.size();
  }

  NativeChild(int pid, int outFd, int inFd, int pidfd, boolean pty, byte veof, Context context,
              Poller poller) {
    this.pid = pid;
    this.pty = pty;
    this.context = context;
    this.poller = poller;
    this.outFd = outFd;
    this.pidfd = pidfd;
    this.output = new ChildOutput(context);
    this.input = new ChildInput(inFd, context, poller, pty, veof);
    LIVE.add(this);
    poller.execute(this::register);
  }

  private void register() {
    watchOutput();
    pidToken = poller.add(pidfd, LibC.EPOLLIN, new Poller.Handler() {
      @Override
      public void ready(int events) {
        onExited();
      }

      @Override
      public void pollerClosed() {
        abandon();
      }
    });
  }

  @Override
  public long pid() {
    return pid;
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

  @Override
  public boolean isPty() {
    return pty;
  }

  @Override
  public void signal(int signal) {
    synchronized (reapLock) {
      if (!reaped) {
        LibC.kill(-pid, signal); // ESRCH: the group is already gone, nothing to do
      }
    }
  }

  /**
   * The child's process group, and every other process of its session: a shell with job control
   * (an interactive shell on a pty) puts each job in a group of its own, which a signal to the
   * child's group would miss. The session id is the child's pid, pinned until the reap.
   */
  private void signalSession(int signal) {
    synchronized (reapLock) {
      if (!reaped) {
        killSession(signal);
      }
    }
  }

  /** Holding reapLock, not yet reaped. */
  private void killSession(int signal) {
    LibC.kill(-pid, signal);
    for (int member : Sessions.members(pid)) {
      if (member != pid) {
        LibC.kill(member, signal); // ESRCH: it ended meanwhile
      }
    }
  }

  @Override
  public boolean hidesInput() {
    // The master shares the slave's termios on Linux: the flags as the child last set them.
    return pty && input.hidesInput();
  }

  @Override
  public void resize(int rows, int columns) {
    if (!pty) {
      return;
    }
    if (rows < 1 || columns < 1 || rows > 0xFFFF || columns > 0xFFFF) {
      throw new IllegalArgumentException("bad terminal size: " + rows + "x" + columns);
    }
    try (Memory ws = NativeLauncher.winsize(rows, columns)) {
      input.ioctl(LibC.TIOCSWINSZ, ws);
    }
  }

  @Override
  public Future<ExitStatus> terminate(Duration grace) {
    Promise<ExitStatus> done = Promise.promise();
    long graceMs = Math.max(0, grace.toMillis());
    poller.execute(() -> {
      if (pidfd < 0) { // already reaped
        ExitStatus s = status;
        post(v -> done.complete(s));
        return;
      }
      terminations.add(done);
      if (terminating) {
        if (graceMs == 0 && status == null) {
          // Asked again, with no grace (a second ^C): no more waiting for the first grace period.
          signalSession(Signals.SIGKILL);
        }
        return;
      }
      terminating = true;
      if (status != null) {
        finishTerminated(); // a zombie whose output is still open
        return;
      }
      if (graceMs == 0) {
        signalSession(Signals.SIGKILL);
        return;
      }
      // SIGCONT with it, as systemd does: a stopped child (SIGSTOP, ^Z) runs its SIGTERM handler.
      signalSession(Signals.SIGTERM);
      signalSession(Signals.SIGCONT);
      post(v -> {
        long id = context.owner().setTimer(graceMs, t -> poller.execute(() -> {
          if (status == null) {
            signalSession(Signals.SIGKILL);
          }
        }));
        poller.execute(() -> killTimer = id);
      });
    });
    return done.future();
  }

  /**
   * Hands {@code task} to the child's context. A closed Vert.x refuses it: the poller carries on
   * with its bookkeeping (fds are still closed, the child still reaped) rather than stop half-way.
   */
  private boolean post(io.vertx.core.Handler<Void> task) {
    try {
      context.runOnContext(task);
      return true;
    } catch (RuntimeException e) {
      LOG.debug("context refused a child event (Vert.x closed?)", e);
      return false;
    }
  }

  // Poller thread below.

  private void onReadable() {
    if (outFd < 0) {
      return;
    }
    ReadBuffer buffer = poller.readBuffer();
    long n = LibC.read(outFd, buffer.memory, ReadBuffer.SIZE);
    if (n > 0) {
      deliver(buffer, (int) n);
    } else if (n == 0) {
      endOutput(null);
    } else {
      int errno = LibC.errno();
      if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
        return;
      }
      // A pty master reads EIO once no process holds the slave: that is its end of file.
      endOutput(errno == LibC.EIO && pty ? null
          : new IOException("reading the child's output failed: " + LibC.strerror0(errno)));
    }
  }

  private void deliver(ReadBuffer buffer, int n) {
    Buffer chunk = Buffer.buffer(n);
    chunk.setBytes(0, buffer.first(n));
    long queued = inFlight.addAndGet(n);
    if (!post(v -> delivered(chunk))) {
      inFlight.addAndGet(-n);
      return;
    }
    if (queued >= MAX_IN_FLIGHT && outFd >= 0 && throttled.compareAndSet(false, true)) {
      // Stop reading until the context has caught up. The pipe fills and the child blocks on
      // its write, as it would under a slow terminal; it is never left blocked, because the
      // context always works through what it holds. The check after the flag catches a context
      // that caught up before the flag was set.
      poller.remove(outFd, outToken);
      outToken = -1;
      if (inFlight.get() <= MAX_IN_FLIGHT / 2) {
        resumeReading();
      }
    }
  }

  /** Context: a chunk reaches the stream; reading resumes once half the backlog is gone. */
  private void delivered(Buffer chunk) {
    try {
      output.onData(chunk);
    } finally {
      if (inFlight.addAndGet(-chunk.length()) <= MAX_IN_FLIGHT / 2 && throttled.get()) {
        poller.execute(this::resumeReading);
      }
    }
  }

  /** Poller thread: watch the output again after a throttle (unless it has ended meanwhile). */
  private void resumeReading() {
    if (throttled.compareAndSet(true, false) && outFd >= 0) {
      watchOutput();
    }
  }

  private void watchOutput() {
    outToken = poller.add(outFd, LibC.EPOLLIN, ev -> onReadable());
  }

  private void endOutput(Throwable error) {
    poller.remove(outFd, outToken);
    LibC.close(outFd);
    outFd = -1;
    if (status != null) {
      reap();
    }
    // Everything is closed before anyone hears of the end.
    post(v -> {
      if (error != null) {
        output.onError(error);
      }
      output.onEnd();
    });
    completeTerminations();
  }

  private void onExited() {
    Memory siginfo = poller.siginfo();
    siginfo.clear(LibC.SIGINFO_SIZE);
    int r = LibC.waitid(LibC.P_PID, pid, siginfo,
        LibC.WEXITED | LibC.WNOHANG | LibC.WNOWAIT);
    ExitStatus s;
    if (r < 0) {
      // ECHILD: reaped behind our back (SIGCHLD ignored by someone): the status is lost.
      s = new ExitStatus(-1, 0);
      synchronized (reapLock) {
        markReaped();
      }
    } else if (siginfo.getInt(LibC.SI_PID_OFFSET) == 0) {
      return; // not yet (spurious readiness)
    } else {
      int code = siginfo.getInt(LibC.SI_CODE_OFFSET);
      int value = siginfo.getInt(LibC.SI_STATUS_OFFSET);
      s = code == LibC.CLD_EXITED ? ExitStatus.exited(value) : ExitStatus.killed(value);
    }
    status = s;
    poller.remove(pidfd, pidToken); // stays readable: watch no more
    pidToken = -1;
    if (killTimer >= 0) {
      long id = killTimer;
      post(v -> context.owner().cancelTimer(id));
    }
    input.onExit();
    if (outFd < 0 || terminating) {
      reap();
    }
    post(v -> exit.complete(s));
    if (terminating) {
      drainAndEndOutput();
    }
    completeTerminations();
  }

  /**
   * The event loop that watched this child shuts down (its Vert.x is closed) while the child is
   * alive: nobody would ever reap it or close its fds. It is killed with its session and reaped
   * now, and its fds closed; there is no context left to tell.
   */
  private void abandon() {
    if (pidfd < 0) {
      return;
    }
    terminating = true;
    poller.remove(pidfd, pidToken);
    synchronized (reapLock) {
      if (!reaped) {
        killSession(Signals.SIGKILL);
        // SIGKILLed, so at once, unless stuck in the kernel (a dead NFS server): then it is left
        // unreaped rather than holding up the close for ever.
        for (int i = 0; i < 1000 && LibC.waitpid(pid, null, LibC.WNOHANG) == 0; i++) {
          LockSupport.parkNanos(1_000_000);
        }
        markReaped();
      }
    }
    reap(); // closes the pidfd and the input
    if (outFd >= 0) {
      poller.remove(outFd, outToken);
      LibC.close(outFd);
      outFd = -1;
    }
    LOG.debug("pid {} killed: its event loop was shut down", pid);
  }

  /** terminate() of a child whose exit is known but whose output is still open. */
  private void finishTerminated() {
    reap();
    drainAndEndOutput();
    completeTerminations();
  }

  /**
   * Exit is known. On terminate, SIGKILL the group first, while the zombie still pins its id
   * (processes the child started and left behind); then reap and close the pidfd.
   */
  private void reap() {
    if (pidfd < 0) {
      return;
    }
    synchronized (reapLock) {
      if (!reaped) {
        if (terminating) {
          killSession(Signals.SIGKILL);
        }
        LibC.waitpid(pid, null, LibC.WNOHANG);
        markReaped();
      }
    }
    LibC.close(pidfd);
    pidfd = -1;
    if (terminating) {
      input.closeNow();
    }
  }

  private void completeTerminations() {
    if (pidfd >= 0 || terminations.isEmpty()) {
      return;
    }
    ExitStatus s = status;
    List<Promise<ExitStatus>> waiting = List.copyOf(terminations);
    terminations.clear();
    post(v -> waiting.forEach(p -> p.complete(s)));
  }

  /** What is already in the pipe or pty is handed on; then the output ends, whoever holds it. */
  private void drainAndEndOutput() {
    ReadBuffer buffer = poller.readBuffer();
    for (int i = 0; i < 64 && outFd >= 0; i++) {
      long n = LibC.read(outFd, buffer.memory, ReadBuffer.SIZE);
      if (n > 0) {
        deliver(buffer, (int) n);
      } else {
        break;
      }
    }
    if (outFd >= 0) {
      endOutput(null);
    }
  }
}
