package dev.promptly.api;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The outcome of one run of a dialogue, as {@link Promptly#run(java.util.List, RunOptions)} reports it.
 *
 * @param name run name ({@code echo}, {@code echo[text=a]} for a matrix combination)
 * @param file the dialogue file
 * @param passed whether every step and the exit status were as expected
 * @param failure why it failed (step, expectation, last lines received), or null
 * @param exit how the child ended; empty when it never started
 * @param started when the run started
 * @param elapsed how long it took
 */
public record RunResult(String name, Path file, boolean passed, String failure,
                        Optional<Exit> exit, Instant started, Duration elapsed) {

  static RunResult of(dev.promptly.report.RunResult r) {
    Optional<Exit> exit = r.signal() != null ? Optional.of(new Exit(-1,
        dev.promptly.process.Signals.number(r.signal())))
        : r.exitCode() != null ? Optional.of(new Exit(r.exitCode(), 0)) : Optional.empty();
    return new RunResult(r.name(), r.file(), r.passed(), r.failure(), exit, r.started(),
        r.elapsed());
  }
}
