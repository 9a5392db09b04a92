package dev.promptly.report;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one run of a dialogue.
 *
 * @param name run name ({@code echo}, {@code echo[text=a]})
 * @param file the dialogue file
 * @param passed whether every step and the exit status were as expected
 * @param failure why it failed (several lines: step, expectation, last lines received), or null
 * @param exitCode the child's exit code, or null (killed by a signal, or never started)
 * @param signal the signal that ended the child ({@code SIGKILL}), or null
 * @param started when the run started
 * @param elapsed how long it took
 * @param steps the steps that ran
 * @param bytesRead bytes the child wrote
 * @param bytesWritten bytes sent to the child
 * @param kind whether the child ran, could not be started, or the run was never started
 */
public record RunResult(String name, Path file, boolean passed, String failure, Integer exitCode,
                        String signal, Instant started, Duration elapsed, List<StepResult> steps,
                        long bytesRead, long bytesWritten, Kind kind) {
  /** What became of a run. */
  public enum Kind {
    /** The child ran (passed or not). */
    RAN,
    /** The program could not be started (not found, not executable, a variable unset): JUnit's
     *  {@code error}, a broken test rather than a failed one. */
    CANNOT_START,
    /** Never started: promptly was interrupted, or {@code --fail-fast} stopped it first. */
    NOT_STARTED
  }

  public RunResult {
    steps = List.copyOf(steps);
  }

  /** A run whose child ran (or, failing with no exit status and no step, could not start). */
  public RunResult(String name, Path file, boolean passed, String failure, Integer exitCode,
                   String signal, Instant started, Duration elapsed, List<StepResult> steps,
                   long bytesRead, long bytesWritten) {
    this(name, file, passed, failure, exitCode, signal, started, elapsed, steps, bytesRead,
        bytesWritten, !passed && exitCode == null && signal == null && steps.isEmpty()
            && bytesRead == 0 && failure != null && failure.startsWith("cannot start")
            ? Kind.CANNOT_START : Kind.RAN);
  }

  /** A run that was planned but never started. */
  public static RunResult notStarted(String name, Path file, String why) {
    return new RunResult(name, file, false, why, null, null, Instant.now(), Duration.ZERO,
        List.of(), 0, 0, Kind.NOT_STARTED);
  }

  /** "exit 0", "killed by SIGTERM" or "not started". */
  public String exitText() {
    if (signal != null) {
      return "killed by " + signal;
    }
    return exitCode == null ? "not started" : "exit " + exitCode;
  }
}
