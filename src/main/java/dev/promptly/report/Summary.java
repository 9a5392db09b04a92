package dev.promptly.report;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/** The final summary, for stderr: every run's outcome, time and exit status, failures last. */
public final class Summary {
  private final PrintWriter err;
  private final ConsoleView view;

  /** A summary whose lines look like the view's progress lines. */
  public Summary(PrintWriter err, ConsoleView view) {
    this.err = err;
    this.view = view;
  }

  /**
   * The closing summary of all runs.
   *
   * @param notStarted runs that were planned but never started (interrupt, --fail-fast)
   */
  public void print(List<RunResult> results, int notStarted, Duration total) {
    view.close();
    synchronized (err) {
      int failed = 0;
      err.println();
      err.println("Summary:");
      for (RunResult r : results) {
        if (r.passed()) {
          err.println(view.progressLine(r));
        }
      }
      for (RunResult r : results) {
        if (!r.passed()) {
          failed++;
          err.println(view.progressLine(r));
          for (String l : String.valueOf(r.failure()).split("\n")) {
            err.println("    " + l);
          }
        }
      }
      if (notStarted > 0) {
        err.println(notStarted + " run(s) not started");
      }
      err.println((results.size() - failed) + " passed, " + failed + " failed");
      err.println(results.size() + " run(s) in " + seconds(total.toNanos()) + "s");
      err.flush();
    }
  }

  /**
   * Seconds with two decimals, rounded half up, as {@code %.2f} gives them. By hand: the first
   * number java.util.Formatter prints loads the JDK's locale data, ~11 ms of a short run's start
   * (sampled), even for Locale.ROOT.
   */
  static String seconds(long nanos) {
    long hundredths = Math.round(Math.max(0, nanos) / 1e7);
    long part = hundredths % 100;
    return hundredths / 100 + (part < 10 ? ".0" : ".") + part;
  }
}
