package dev.promptly.report;

import java.time.Duration;
import java.util.Map;

/**
 * What one step did.
 *
 * @param index 1-based step number
 * @param line line of the step in its file (0 when unknown)
 * @param kind "expect", "send", "signal" or "close"
 * @param passed whether the step did what it should (the step a run failed in is false)
 * @param branch for expect: the pattern of the branch taken (e.g. {@code "Password:"}, {@code eof});
 *     for signal: the signal's name
 * @param matched the matched text (masked where secret), or null
 * @param offset char offset of the match in the decoded output (as the matcher sees it, after
 *     strip-ansi), or -1
 * @param byteOffset byte offset of the match in the child's output, or -1 when unknown (strip-ansi,
 *     or invalid UTF-8 before the match: decoded text no longer maps back to bytes one to one)
 * @param captures named groups captured by the match (masked where secret)
 * @param elapsed time spent in the step
 * @param passes how many times the step ran (1 plus the number of {@code again} repeats)
 */
public record StepResult(int index, int line, String kind, boolean passed, String branch,
                         String matched, long offset, long byteOffset,
                         Map<String, String> captures, Duration elapsed, int passes) {
  public StepResult {
    captures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(captures));
  }
}
