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
 */
public record RunResult(String name, Path file, boolean passed, String failure, Integer exitCode,
                        String signal, Instant started, Duration elapsed, List<StepResult> steps,
                        long bytesRead, long bytesWritten) {
  public RunResult {
    steps = List.copyOf(steps);
  }

  /** "exit 0", "killed by SIGTERM" or "not started". */
  public String exitText() {
    if (signal != null) {
      return "killed by " + signal;
    }
    return exitCode == null ? "not started" : "exit " + exitCode;
  }
}
