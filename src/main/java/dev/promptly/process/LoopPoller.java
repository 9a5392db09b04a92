package dev.promptly.process;

import com.sun.jna.Memory;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;
import io.vertx.core.Context;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child's fds watched by its own Vert.x event loop, when that loop is Netty's epoll transport:
 * each fd is an {@link EpollIoHandle} registered with the loop, so output is read on the thread
 * that decodes and matches it, and an answer is written from there too. Against the shared
 * {@link Reactor} this saves the hand-off between two threads on every chunk of output (a wake-up
 * of the event loop, several microseconds on a VM) and one thread competing for the cores.
 *
 * <p>One instance per child; its registrations are touched on the loop thread only.
 */
final class LoopPoller implements Poller {
  private static final Logger LOG = LoggerFactory.getLogger(LoopPoller.class);
  /** Per event-loop thread: children of one loop are read one at a time, into one buffer. */
  private static final ThreadLocal<ReadBuffer> READ_BUFFER =
      ThreadLocal.withInitial(ReadBuffer::new);
  private static final ThreadLocal<Memory> SIGINFO =
      ThreadLocal.withInitial(() -> new Memory(LibC.SIGINFO_SIZE));

  private final IoEventLoop loop;
  private final Map<Long, IoRegistration> registrations = new HashMap<>(4);
  private long nextToken = 1;

  private LoopPoller(IoEventLoop loop) {
    this.loop = loop;
  }

  /**
   * The poller for a child on {@code context}: its event loop when that is an event-loop
   * context on the epoll transport, else null (the shared reactor then does the work).
   */
  static Poller forContext(Context context) {
    try {
      EventLoop loop = VertxInternals.eventLoop(context);
      // A loop already shutting down would drop the child's registration: the reactor it is.
      if (loop instanceof IoEventLoop io && io.isCompatible(Fd.class) && !io.isShuttingDown()) {
        return new LoopPoller(io);
      }
    } catch (LinkageError e) {
      // No epoll classes (netty-transport-classes-epoll left out): the reactor it is.
    }
    return null;
  }

  @Override
  public boolean inPoller() {
    return loop.inEventLoop();
  }

  @Override
  public void execute(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      // The loop is shutting down: its live children are killed and reaped by pollerClosed().
      LOG.debug("event loop refused a child task (Vert.x closing)", e);
    }
  }

  @Override
  public long add(int fd, int events, Handler handler) {
    Future<IoRegistration> f = loop.register(new Fd(fd, handler));
    IoRegistration registration = f.getNow(); // on the loop itself, registering is immediate
    if (registration == null) {
      throw new IllegalStateException("cannot watch fd " + fd + ": " + f.cause());
    }
    registration.submit(EpollIoOps.valueOf(events));
    long token = nextToken++;
    registrations.put(token, registration);
    return token;
  }

  @Override
  public void remove(int fd, long token) {
    IoRegistration registration = registrations.remove(token);
    if (registration != null) {
      registration.cancel();
    }
  }

  @Override
  public void wrote() {
    if (loop.inEventLoop()) {
      EpollLoops.active();
    }
  }

  @Override
  public ReadBuffer readBuffer() {
    return READ_BUFFER.get();
  }

  @Override
  public Memory siginfo() {
    return SIGINFO.get();
  }

  /** One fd of a child. Closing it is the child's business, never Netty's. */
  private static final class Fd implements EpollIoHandle {
    private final FileDescriptor fd;
    private final Handler handler;

    Fd(int fd, Handler handler) {
      this.fd = new FileDescriptor(fd);
      this.handler = handler;
    }

    @Override
    public FileDescriptor fd() {
      return fd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
      EpollLoops.active();
      try {
        handler.ready(((EpollIoEvent) event).ops().value());
      } catch (Throwable t) {
        LOG.error("child I/O handler failed", t);
      }
    }

    /**
     * Netty closes the handles still registered when the loop shuts down (never one we removed):
     * the fd itself belongs to the child, who is told.
     */
    @Override
    public void close() {
      try {
        handler.pollerClosed();
      } catch (Throwable t) {
        LOG.error("child I/O handler failed", t);
      }
    }
  }
}
