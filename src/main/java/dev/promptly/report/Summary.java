package dev.promptly.report;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Progress lines and the final summary, for stderr: failures last, with their reasons. */
public final class Summary implements RunObserver {
  private final PrintWriter err;

  public Summary(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void finished(RunResult r) {
    synchronized (err) {
      err.println(line(r));
      err.flush();
    }
  }

  /** The closing summary of all runs. */
  public void print(List<RunResult> results, Duration total) {
    synchronized (err) {
      int failed = 0;
      err.println();
      for (RunResult r : results) {
        if (r.passed()) {
          err.println(line(r));
        }
      }
      for (RunResult r : results) {
        if (!r.passed()) {
          failed++;
          err.println(line(r));
          for (String l : String.valueOf(r.failure()).split("\n")) {
            err.println("    " + l);
          }
        }
      }
      err.printf(Locale.ROOT, "%d passed, %d failed%n", results.size() - failed, failed);
      err.printf(Locale.ROOT, "%d run(s) in %s%n", results.size(), seconds(total));
      err.flush();
    }
  }

  private static String line(RunResult r) {
    return String.format(Locale.ROOT, "%s %s  %s  %s", r.passed() ? "PASS" : "FAIL", r.name(),
        seconds(r.elapsed()), r.exitText());
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.2fs", d.toNanos() / 1e9);
  }
}
