package dev.promptly.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.cli.PromptlyCommand;
import dev.promptly.engine.TestRuns;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --html FILE}: the page through the real command, loaded by a real headless Chromium. */
class HtmlReportTest {
  private static final String PW = "hunter2-Sekrit";

  @TempDir
  Path dir;

  private static int promptly(String... args) {
    return PromptlyCommand.execute(args, new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter()));
  }

  /** Chromium, or a loud failure: CI installs it (.ci/run), a silent skip would hide a gap. */
  private static String chromium() {
    for (String c : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    throw new AssertionError("headless Chromium is needed for this test: apt-get install chromium");
  }

  private String browser(Path page, String... what) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--user-data-dir=" + dir.resolve("profile"),
        "--enable-logging=stderr", "--v=0", "--virtual-time-budget=8000"));
    cmd.addAll(List.of(what));
    cmd.add(page.toUri().toString());
    Path out = Files.createTempFile(dir, "chromium", ".out");
    Path err = Files.createTempFile(dir, "chromium", ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("chromium did not finish in 120s");
    }
    String log = Files.readString(err);
    assertThat(log).as("console of the page").doesNotContain("INFO:CONSOLE");
    return Files.readString(out);
  }

  @Test
  void aFailedPtyRunIsReplayedEscapedAndMaskedAndThePageMakesNoRequest() throws Exception {
    Path evil = TestRuns.write(dir, "evil", """
        name: evil
        pty: true
        secret: [pw]
        command: [sh, -c, 'printf "<script>alert(1)</script>\\n</script><script>alert(2)</script>\\n"; printf "Password: "; read p; echo "got $p"']
        steps:
          - expect: "Password: "
            sendline: "${pw}"
          - expect: "never printed"
            timeout: 2s
        """);
    Path ok = TestRuns.write(dir, "ok", """
        name: ok
        matrix: {text: [alpha, beta]}
        command: [sh, -c, 'echo hello ${text}; echo "</script><img src=x onerror=alert(3)>"']
        steps:
          - expect: "hello ${text}"
        """);
    Path page = dir.resolve("report.html");
    int code = promptly("run", evil.toString(), ok.toString(), "--var", "pw=" + PW,
        "--html", page.toString(), "--transcript", dir.resolve("tr").toString());
    assertThat(code).isEqualTo(1);
    String html = Files.readString(page, StandardCharsets.UTF_8);
    assertThat(html).doesNotContain(PW).contains("default-src 'none'")
        .doesNotContain("<script>alert").doesNotContain("<img src=x");
    // Failed first and open, passed folded.
    assertThat(html.indexOf("id=\"run-0\"")).isLessThan(html.indexOf("id=\"run-1\""));
    assertThat(html).containsPattern("class=\"run failed\" id=\"run-0\" open>")
        .containsPattern("class=\"run passed\" id=\"run-1\">");

    String dom = browser(page, "--dump-dom");
    assertThat(dom).contains("data-violations=\"0\"").contains("data-errors=\"0\"")
        .contains("evil").contains("ok[text=alpha]").contains("ok[text=beta]")
        .contains("never printed").contains("evil.yaml:8:")
        .contains("class=\"ap-player").contains("ap-terminal")
        .contains("Password: ******").doesNotContain(PW)
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("Matrix: ok").contains("<th>text</th>");
    Path shot = Path.of("target", "html-report.png").toAbsolutePath();
    Files.createDirectories(shot.getParent());
    browser(page, "--screenshot=" + shot, "--window-size=1280,1600");
    assertThat(shot).exists();
    assertThat(Files.size(shot)).isGreaterThan(1000);
  }

  @Test
  void aThousandRunsAndFiftyMegabytesMakeAPageOfBoundedSize() throws Exception {
    HtmlReport report = new HtmlReport();
    Instant t0 = Instant.now();
    List<RunResult> results = new ArrayList<>();
    String chunk = "x".repeat(1023) + "\n";
    for (int i = 0; i < 1000; i++) {
      String name = "run-" + i;
      report.started(new RunInfo(name, Path.of("d.yaml"), "sh", 1, false, i % 2 == 0, 24, 80,
          null, t0));
      int chunks = i == 0 ? 50 * 1024 : 20;
      for (int c = 0; c < chunks; c++) {
        report.output(name, chunk.getBytes(StandardCharsets.UTF_8), chunk);
      }
      results.add(new RunResult(name, Path.of("d.yaml"), i % 10 != 0, i % 10 == 0 ? "failed"
          : null, 0, null, t0.plusMillis(i), Duration.ofMillis(5), List.of(), 0, 0));
    }
    Path page = dir.resolve("big.html");
    report.write(page, results, t0, Duration.ofSeconds(2), n -> Optional.empty());
    long size = Files.size(page);
    assertThat(size).isLessThan(40L * 1024 * 1024);
    // The 50 MB run is cut, and leaves the budget to the others: the next run's output is there.
    String html = Files.readString(page);
    assertThat(html.substring(html.indexOf("id=\"run-1\""))).contains("x".repeat(1023));
    assertThat(html).contains("characters cut")
        .contains("run with --transcript DIR");
  }

  @Test
  void castJsonCannotCloseItsScriptElement() {
    assertThat(HtmlReport.scriptSafe("{\"a\":\"</script><script>\"}"))
        .doesNotContain("<").contains("\\u003c/script>");
    assertThat(HtmlReport.esc("<script>&\"'")).isEqualTo("&lt;script&gt;&amp;&quot;&#39;");
  }
}
