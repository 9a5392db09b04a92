package dev.promptly.report;

import java.util.List;

/**
 * Watches runs as they happen (live console view, transcripts, reports). Calls for one run come
 * in order from that run's context; calls for different runs may come from different threads.
 * Everything an observer is given is already masked: no secret reaches it.
 */
public interface RunObserver {
  /** A run's child started. */
  default void started(RunInfo run) {
  }

  /**
   * The child wrote something.
   *
   * @param bytes the bytes as read, secrets masked (otherwise byte-exact, binary included); the
   *     observer must not change them
   * @param text the same, decoded as UTF-8 (a character split across reads comes whole)
   */
  default void output(String run, byte[] bytes, String text) {
  }

  /** Text was sent to the child (secrets masked). */
  default void sent(String run, String shown, boolean echoedByTerminal) {
  }

  /**
   * An expect step matched.
   *
   * @param step 1-based step number
   * @param branch the pattern of the branch taken
   * @param text the matched text (masked)
   * @param byteOffset where the match starts in the child's output, in bytes, or -1
   */
  default void matched(String run, int step, String branch, String text, long byteOffset) {
  }

  /** A {@code log:} step's text (secrets masked), for the live view and the timeline. */
  default void logged(String run, String text) {
  }

  /** The child's output ended. */
  default void outputEnded(String run) {
  }

  /**
   * A run hands its child's terminal to the person ({@code on}) or takes it back: meanwhile the
   * person's terminal is theirs, and a live view stays quiet.
   */
  default void interacting(String run, boolean on) {
  }

  /** The run is over. */
  default void finished(RunResult result) {
  }

  /** One observer that tells each of {@code observers}, in order. */
  static RunObserver all(List<RunObserver> observers) {
    List<RunObserver> list = List.copyOf(observers);
    return new RunObserver() {
      @Override
      public void started(RunInfo run) {
        list.forEach(o -> o.started(run));
      }

      @Override
      public void output(String run, byte[] bytes, String text) {
        list.forEach(o -> o.output(run, bytes, text));
      }

      @Override
      public void sent(String run, String shown, boolean echoedByTerminal) {
        list.forEach(o -> o.sent(run, shown, echoedByTerminal));
      }

      @Override
      public void matched(String run, int step, String branch, String text, long byteOffset) {
        list.forEach(o -> o.matched(run, step, branch, text, byteOffset));
      }

      @Override
      public void logged(String run, String text) {
        list.forEach(o -> o.logged(run, text));
      }

      @Override
      public void outputEnded(String run) {
        list.forEach(o -> o.outputEnded(run));
      }

      @Override
      public void interacting(String run, boolean on) {
        list.forEach(o -> o.interacting(run, on));
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
