package dev.promptly.report;

/**
 * Watches runs as they happen (live console view, transcripts, progress). Calls for one run come
 * in order from that run's context; calls for different runs may come from different threads.
 */
public interface RunObserver {
  /**
   * A run's child started.
   *
   * @param quiet the dialogue asked to keep its output out of the live view
   */
  default void started(String run, long pid, boolean quiet) {
  }

  /**
   * The child wrote something.
   *
   * @param raw the bytes as read (not masked: observers that persist them must mask)
   * @param text the same, decoded, secrets masked
   */
  default void output(String run, byte[] raw, String text) {
  }

  /** Text was sent to the child (secrets already masked). */
  default void sent(String run, String shown, boolean echoedByTerminal) {
  }

  /** The child's output ended. */
  default void outputEnded(String run) {
  }

  /** The run is over. */
  default void finished(RunResult result) {
  }

  /** One observer that tells each of {@code observers}, in order. */
  static RunObserver all(java.util.List<RunObserver> observers) {
    java.util.List<RunObserver> list = java.util.List.copyOf(observers);
    return new RunObserver() {
      @Override
      public void started(String run, long pid, boolean quiet) {
        list.forEach(o -> o.started(run, pid, quiet));
      }

      @Override
      public void output(String run, byte[] raw, String text) {
        list.forEach(o -> o.output(run, raw, text));
      }

      @Override
      public void sent(String run, String shown, boolean echoedByTerminal) {
        list.forEach(o -> o.sent(run, shown, echoedByTerminal));
      }

      @Override
      public void outputEnded(String run) {
        list.forEach(o -> o.outputEnded(run));
      }

      @Override
      public void finished(RunResult result) {
        list.forEach(o -> o.finished(result));
      }
    };
  }

  /** An observer that ignores everything. */
  RunObserver NONE = new RunObserver() {
  };
}
