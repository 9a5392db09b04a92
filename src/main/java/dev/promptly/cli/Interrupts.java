package dev.promptly.cli;

import java.util.function.IntConsumer;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM to promptly: instead of dying at once (and leaving children behind), the run
 * is told, stops its children and writes its reports; the CLI then exits 130 or 143.
 */
final class Interrupts {
  private Interrupts() {
  }

  /** Calls {@code onSignal} with the signal's number (2 or 15) each time one arrives. */
  static void install(IntConsumer onSignal) {
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        Signal.handle(new Signal(name), sig -> onSignal.accept(sig.getNumber()));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // The JVM keeps this signal for itself (e.g. -Xrs): default handling then.
      }
    }
  }
}
