package dev.promptly.engine;

import dev.promptly.match.PromptMatcher;
import java.time.Duration;
import java.util.Map;

/**
 * How runs are made.
 *
 * @param jobs at most this many children alive at once
 * @param defaultTimeout step timeout when neither the step nor the dialogue sets one
 * @param grace time between SIGTERM and SIGKILL
 * @param vars variables from the command line (override the dialogue's own)
 * @param window chars of unmatched output searched by a regex
 * @param failFast after the first failure start no new run and terminate running ones
 */
public record RunSettings(int jobs, Duration defaultTimeout, Duration grace,
                          Map<String, String> vars, int window, boolean failFast) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

  public RunSettings {
    vars = Map.copyOf(vars);
    if (jobs < 1) {
      throw new IllegalArgumentException("jobs must be at least 1");
    }
  }

  public static RunSettings defaults() {
    return new RunSettings(Runtime.getRuntime().availableProcessors(), DEFAULT_TIMEOUT,
        DEFAULT_GRACE, Map.of(), PromptMatcher.DEFAULT_WINDOW, false);
  }

  public RunSettings withJobs(int n) {
    return new RunSettings(n, defaultTimeout, grace, vars, window, failFast);
  }

  public RunSettings withTimeout(Duration t) {
    return new RunSettings(jobs, t, grace, vars, window, failFast);
  }

  public RunSettings withVars(Map<String, String> v) {
    return new RunSettings(jobs, defaultTimeout, grace, v, window, failFast);
  }

  public RunSettings withGrace(Duration g) {
    return new RunSettings(jobs, defaultTimeout, g, vars, window, failFast);
  }

  public RunSettings withFailFast(boolean f) {
    return new RunSettings(jobs, defaultTimeout, grace, vars, window, f);
  }
}
