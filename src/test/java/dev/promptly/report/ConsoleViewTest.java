package dev.promptly.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleViewTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private ConsoleView view(ConsoleView.Style style) {
    return new ConsoleView(new PrintWriter(out), new PrintWriter(err), style);
  }

  private static RunInfo info(String name, boolean quiet) {
    return new RunInfo(name, Path.of("x.yaml"), "cmd", 1, quiet, false, 0, 0, null,
        Instant.now());
  }

  private static RunResult result(String name, boolean passed) {
    return new RunResult(name, Path.of("x.yaml"), passed, passed ? null : "step 1: why", 0, null,
        Instant.now(), Duration.ofMillis(1500), List.of(), 0, 0);
  }

  @Test
  void linesArePrefixedAndAPromptShowsWithWhatWasSent() {
    ConsoleView v = view(ConsoleView.Style.plain(true));
    v.started(info("echo", false));
    v.output("echo", new byte[0], "hello\r\nВведите ");
    v.output("echo", new byte[0], "текст: ");
    assertThat(out.toString()).isEqualTo("[echo] hello\n");
    v.sent("echo", "one\n", false);
    assertThat(out.toString()).isEqualTo("[echo] hello\n[echo] Введите текст: one\n");
  }

  @Test
  void anOpenLineIsShownWhenTheOutputEnds() {
    ConsoleView v = view(ConsoleView.Style.plain(true));
    v.started(info("a", false));
    v.output("a", new byte[0], "no newline");
    v.outputEnded("a");
    assertThat(out.toString()).isEqualTo("[a] no newline\n");
  }

  @Test
  void quietRunsAndQuietModeShowNoOutputButProgress() {
    ConsoleView v = view(ConsoleView.Style.plain(true));
    v.started(info("q", true));
    v.output("q", new byte[0], "secret flood\n");
    v.finished(result("q", true));
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).startsWith("PASS q  1.50s  exit 0");

    ConsoleView quiet = view(ConsoleView.Style.plain(false));
    quiet.started(info("r", false));
    quiet.output("r", new byte[0], "line\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void linesOfManyChildrenNeverInterleaveMidLine() throws Exception {
    ConsoleView v = view(ConsoleView.Style.plain(true));
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      String run = "r" + t;
      v.started(info(run, false));
      threads.add(new Thread(() -> {
        for (int i = 0; i < 2000; i++) {
          // A line arrives in two pieces, as reads cut it.
          v.output(run, new byte[0], run + "-line-" + i + "-");
          v.output(run, new byte[0], "end\n");
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    String[] lines = out.toString().split("\n");
    assertThat(lines).hasSize(8 * 2000);
    for (String line : lines) {
      assertThat(line).matches("\\[(r\\d)] \\1-line-\\d+-end");
    }
  }

  @Test
  void colourAndStatusLineOnATerminal() {
    ConsoleView v = view(new ConsoleView.Style(true, true, true));
    v.setTotal(2);
    v.started(info("a", false));
    v.output("a", new byte[0], "hi\n");
    v.finished(result("a", false));
    v.close();
    assertThat(out.toString()).contains("\u001b[36m[a]\u001b[0m hi\n");
    String e = err.toString();
    assertThat(e).contains("running 1 | passed 0 | failed 0 | total 2");
    assertThat(e).contains("\u001b[31mFAIL\u001b[0m a");
    // The status line is cleared before every other line and at the end.
    assertThat(e).endsWith("\r\u001b[K");
  }

  /** Seconds are written by hand (no Formatter at start-up), exactly as {@code %.2f} writes them. */
  @Test
  void secondsAreWrittenAsPercentPointTwoF() {
    java.util.Random random = new java.util.Random(20);
    List<Long> nanos = new ArrayList<>(List.of(0L, 4_999_999L, 5_000_000L, 9_999_999L,
        10_000_000L, 995_000_000L, 1_995_000_000L, 1_234_567_890L, 59_999_999_999L,
        3_600_000_000_000L));
    for (int i = 0; i < 20_000; i++) {
      nanos.add(random.nextLong(0, 100_000_000_000L));
      nanos.add(random.nextInt(0, 2_000) * 5_000_000L); // halves of a hundredth
    }
    for (long n : nanos) {
      assertThat(Summary.seconds(n)).as("%d ns", n)
          .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", n / 1e9));
    }
  }
}
