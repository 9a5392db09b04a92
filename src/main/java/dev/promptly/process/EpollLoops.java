package dev.promptly.process;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.IntSupplier;
import io.vertx.core.impl.transports.EpollTransport;
import io.vertx.core.transport.Transport;

/**
 * The Vert.x transport promptly's own Vert.x instance runs on: Netty's epoll, so that each
 * child's fds are watched by the child's own event loop ({@link LoopPoller}), and loops that poll
 * (epoll_wait with a zero timeout) for a short while after a child's last output or input before
 * they block. A dialogue's answer is due within tens of microseconds (the child's turn), and
 * waking a thread blocked in epoll_wait costs several microseconds on a VM; bounded, so an idle
 * loop blocks soon and never spins. Everything else is Vert.x's own epoll transport, so sockets
 * and files work on this instance as on any other.
 */
public final class EpollLoops {
  /**
   * How long a loop polls after activity. Measured on the shared reactor this design replaces
   * (10,000 round trips, 2 cores): 15-20 us windows miss most answers, 50 us gain nothing more.
   */
  static final long SPIN_NANOS = 30_000;
  /** Per loop thread: when a child's fd last had an event or its input last took bytes. */
  private static final ThreadLocal<long[]> LAST_ACTIVITY =
      ThreadLocal.withInitial(() -> new long[] {System.nanoTime() - SPIN_NANOS});

  private EpollLoops() {
  }

  /**
   * The transport, or null where epoll cannot be used (not Linux x86_64, the native library
   * refused): Vert.x then runs on NIO and children on promptly's shared I/O thread.
   *
   * @return the transport to pass to {@code VertxBuilder.withTransport}, or null
   */
  public static Transport transport() {
    try {
      NativeCache.prepare();
      if (!Epoll.isAvailable()) {
        return null;
      }
      Polling implementation = new Polling();
      return new Transport() {
        @Override
        public String name() {
          return "epoll";
        }

        @Override
        public boolean available() {
          return true;
        }

        @Override
        public Throwable unavailabilityCause() {
          return null;
        }

        @Override
        public io.vertx.core.spi.transport.Transport implementation() {
          return implementation;
        }
      };
    } catch (LinkageError e) {
      return null;
    }
  }

  /** On a loop thread: a child was just active there; poll a while before blocking. */
  static void active() {
    LAST_ACTIVITY.get()[0] = System.nanoTime();
  }

  /** Vert.x's epoll transport with loops that poll after activity. */
  private static final class Polling extends EpollTransport {
    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return EpollIoHandler.newFactory(0, PollAfterActivity::new);
    }
  }

  /**
   * Polls for up to {@link #SPIN_NANOS} after activity while that catches the child's answers. On
   * a busy machine the child is often not even scheduled within the window, and every poll that
   * runs out burns the core the child waits for (measured on 2 cores shared with builds: 3.0 s of
   * CPU for 50,000 pipe round trips where the C driver took 0.8 s). So a window that ran out is
   * halved for the next wait, down to none; then every {@link #PROBE_EVERY}th wait polls the full
   * window once more (about 1 us a round trip when it keeps missing), and the first poll that
   * catches an answer restores it.
   */
  static final class PollAfterActivity implements SelectStrategy {
    /** Below this a window is not worth polling: none at all. */
    static final long MIN_WINDOW_NANOS = 2_000;
    static final int PROBE_EVERY = 32;
    /** Only this loop's thread calls the strategy: plain fields. */
    private long window = SPIN_NANOS;
    private int sinceProbe;

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
      if (hasTasks) {
        return selectNow.get();
      }
      long since = LAST_ACTIVITY.get()[0];
      if (System.nanoTime() - since >= SPIN_NANOS) {
        return SelectStrategy.SELECT;
      }
      long w = window;
      boolean probe = w == 0;
      if (probe) {
        if (++sinceProbe < PROBE_EVERY) {
          return SelectStrategy.SELECT;
        }
        sinceProbe = 0;
        w = SPIN_NANOS;
      }
      // Polled here rather than by going round the loop: a task handed over by another thread
      // wakes the loop's eventfd, which ends the poll like any other event.
      while (System.nanoTime() - since < w) {
        int ready = selectNow.get();
        if (ready > 0) {
          window = SPIN_NANOS;
          return ready;
        }
        Thread.onSpinWait();
      }
      window = probe || w / 2 < MIN_WINDOW_NANOS ? 0 : w / 2;
      return SelectStrategy.SELECT;
    }
  }
}
