package dev.promptly.process;

import com.sun.jna.Memory;

/**
 * Where a child's fds are watched and read: the child's own Vert.x event loop when it runs on
 * Netty's epoll transport ({@link LoopPoller}: output is read, decoded and matched on one thread,
 * with no hand-off), otherwise the one shared I/O thread ({@link Reactor}). Registrations, epoll
 * changes and the closing of registered fds happen on the poller's thread only, so an fd number
 * is never reused while an event for its previous owner may still be in hand.
 */
interface Poller {
  /** Called on the poller's thread with the ready epoll events of one registration. */
  interface Handler {
    void ready(int events);

    /**
     * The poller is going away with this registration still in it: an event loop is shut down
     * (its Vert.x closed) while the child lives. Called on the poller's thread, once.
     */
    default void pollerClosed() {
    }
  }

  /** True on the poller's thread. */
  boolean inPoller();

  /** Runs {@code task} on the poller's thread, soon; from that thread, after this round. */
  void execute(Runnable task);

  /** Poller thread only. Returns the token to pass to {@link #remove}. */
  long add(int fd, int events, Handler handler);

  /** Poller thread only; call before closing {@code fd}. */
  void remove(int fd, long token);

  /** Any thread: bytes were just written to a child, so its answer may come soon. */
  void wrote();

  /** Poller thread only: the thread's read buffer. */
  ReadBuffer readBuffer();

  /** Poller thread only: the thread's siginfo_t for waitid. */
  Memory siginfo();
}
