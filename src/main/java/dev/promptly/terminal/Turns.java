package dev.promptly.terminal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The person's terminal goes to one interaction at a time, in the order they asked: the others
 * wait (their runs go on quietly meanwhile).
 */
public final class Turns {
  private static final ArrayDeque<CompletableFuture<Runnable>> WAITING = new ArrayDeque<>();
  private static boolean taken; // guarded by WAITING

  private Turns() {
  }

  /** Completes with the handle that gives the terminal back, once it is this caller's turn. */
  public static CompletableFuture<Runnable> take() {
    CompletableFuture<Runnable> turn = new CompletableFuture<>();
    synchronized (WAITING) {
      if (!taken) {
        taken = true;
        turn.complete(once());
      } else {
        WAITING.add(turn);
      }
    }
    return turn;
  }

  private static Runnable once() {
    java.util.concurrent.atomic.AtomicBoolean given = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (given.compareAndSet(false, true)) {
        giveBack();
      }
    };
  }

  private static void giveBack() {
    CompletableFuture<Runnable> next;
    synchronized (WAITING) {
      next = WAITING.poll();
      if (next == null) {
        taken = false;
        return;
      }
    }
    next.complete(once());
  }
}
