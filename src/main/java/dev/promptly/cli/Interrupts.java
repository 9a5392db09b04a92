package dev.promptly.cli;

import java.util.function.IntConsumer;

/**
 * SIGINT, SIGTERM and SIGHUP to promptly: instead of dying at once (and leaving children behind),
 * the run is told, stops its children and writes its reports; the CLI then exits 130, 143 or 129.
 * SIGHUP is what a closed terminal or a dropped ssh session sends.
 */
final class Interrupts {
  private Interrupts() {
  }

  /**
   * Calls {@code onSignal} with the signal's number (2, 15 or 1) each time one arrives. sun.misc.Signal
   * (module jdk.unsupported) is the only way a Java program can handle signals; "sunapi" names its
   * warning once enabled with -XDenableSunApiLintControl (the javadoc build does).
   */
  @SuppressWarnings("sunapi")
  static void install(IntConsumer onSignal) {
    for (String name : new String[] {"INT", "TERM", "HUP"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> onSignal.accept(sig.getNumber()));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // The JVM keeps this signal for itself (e.g. -Xrs): default handling then.
      }
    }
  }
}
