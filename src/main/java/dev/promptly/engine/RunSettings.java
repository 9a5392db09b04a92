package dev.promptly.engine;

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
}
