package dev.promptly.report;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

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
        err.printf(Locale.ROOT, "%d run(s) not started%n", notStarted);
      }
      err.printf(Locale.ROOT, "%d passed, %d failed%n", results.size() - failed, failed);
      err.printf(Locale.ROOT, "%d run(s) in %s%n", results.size(), seconds(total));
      err.flush();
    }
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.2fs", d.toNanos() / 1e9);
  }
}
