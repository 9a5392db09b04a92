package dev.promptly.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * {@code --html FILE}: one self-contained page per invocation, readable offline. A summary (counts,
 * total time, a timeline bar per run, the matrix as a table), then every run, failed ones first and
 * expanded: steps, failure text exactly as on the console, what was sent (masked), and the child's
 * output, replayed with asciinema's player for pty runs.
 *
 * <p>The page can make no request: a Content-Security-Policy of {@code default-src 'none'} allows
 * only its own inline script (by hash) and style. Everything the child printed is escaped; the
 * recordings are embedded as JSON with {@code <} written {@code \u003c}, so no output can close
 * the script element holding them. Outputs are cut ({@value #RUN_LIMIT} chars per run, {@value
 * #TOTAL_LIMIT} in all) so large suites stay openable; a cut output links to its transcript.
 */
public final class HtmlReport implements RunObserver {
  /** Characters of output kept per run (the end of it for plain output, the start for a cast). */
  static final int RUN_LIMIT = 64 * 1024;
  /** Characters of output kept for all runs together. */
  static final long TOTAL_LIMIT = 8L * 1024 * 1024;
  private static final int SENT_LIMIT = 200;
  private static final String PLAYER = "/html/asciinema-player/";

  private final Map<String, Captured> runs = new ConcurrentHashMap<>();
  private final AtomicLong kept = new AtomicLong();

  /** What the page shows of one run's output. */
  private static final class Captured {
    RunInfo info;
    long t0 = System.nanoTime();
    final StringBuilder tail = new StringBuilder();
    long cut;
    final JsonArray events = new JsonArray();
    long castChars;
    boolean castCut;
    final List<String> sent = new ArrayList<>();
  }

  private Captured of(String run) {
    return runs.computeIfAbsent(run, r -> new Captured());
  }

  @Override
  public void started(RunInfo run) {
    Captured c = of(run.name());
    synchronized (c) {
      c.info = run;
      c.t0 = System.nanoTime();
    }
  }

  @Override
  public void output(String run, byte[] bytes, String text) {
    Captured c = of(run);
    synchronized (c) {
      if (c.info != null && c.info.pty() && !c.castCut) {
        if (c.castChars + text.length() <= RUN_LIMIT && reserve(text.length())) {
          c.events.add(new JsonArray().add((System.nanoTime() - c.t0) / 1e9).add("o").add(text));
          c.castChars += text.length();
        } else {
          c.castCut = true;
        }
      }
      if (!reserve(text.length())) {
        c.cut += text.length();
        return;
      }
      c.tail.append(text);
      if (c.tail.length() > RUN_LIMIT) {
        int drop = c.tail.length() - RUN_LIMIT;
        c.tail.delete(0, drop);
        c.cut += drop;
        kept.addAndGet(-drop); // a long run's cut output leaves the budget to the others
      }
    }
  }

  private boolean reserve(long chars) {
    return kept.addAndGet(chars) <= TOTAL_LIMIT || kept.addAndGet(-chars) < 0;
  }

  @Override
  public void sent(String run, String shown, boolean echoedByTerminal) {
    Captured c = of(run);
    synchronized (c) {
      if (c.sent.size() < SENT_LIMIT) {
        c.sent.add(shown);
      }
    }
  }

  /** Writes the page to {@code file} (owner-only, replaced atomically). */
  public void write(Path file, List<RunResult> results, Instant started, Duration elapsed,
                    Function<String, Optional<TranscriptWriter.Files>> transcripts)
      throws IOException {
    byte[] page = page(results, started, elapsed, transcripts, file)
        .getBytes(StandardCharsets.UTF_8);
    OwnerOnly.replace(file, os -> os.write(page));
  }

  /** The page. */
  String page(List<RunResult> results, Instant started, Duration elapsed,
              Function<String, Optional<TranscriptWriter.Files>> transcripts, Path file) {
    String playerJs = "/*! asciinema-player 3.8.2 | Apache License 2.0 | its licence is at the end"
        + " of this page */\n" + resource("asciinema-player.min.js");
    String playerCss = resource("asciinema-player.css");
    String licence = resource("LICENSE");
    String script = SCRIPT;
    String style = STYLE + playerCss;
    List<RunResult> ordered = new ArrayList<>(results);
    ordered.sort(Comparator.comparingInt(HtmlReport::rank));
    long failed = results.stream().filter(r -> !r.passed()).count();
    long skipped = results.stream().filter(r -> r.kind() == RunResult.Kind.NOT_STARTED).count();
    long errors = results.stream().filter(r -> r.kind() == RunResult.Kind.CANNOT_START).count();

    StringBuilder b = new StringBuilder(1 << 16);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
        .append("script-src ").append(hash(playerJs)).append(' ').append(hash(script))
        .append(" 'wasm-unsafe-eval'; style-src 'unsafe-inline'; img-src data:\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width\">\n<title>promptly: ")
        .append(failed == 0 ? "passed" : failed + " failed").append(", ")
        .append(results.size()).append(" runs</title>\n<style>").append(style)
        .append("</style>\n</head><body data-violations=\"0\" data-errors=\"0\">\n");
    b.append("<header><h1 class=\"").append(failed == 0 ? "pass" : "fail").append("\">")
        .append(failed == 0 ? "All " + results.size() + " runs passed"
            : failed + " of " + results.size() + " runs failed")
        .append("</h1><p id=\"counts\">").append(results.size() - failed).append(" passed · ")
        .append(failed - errors - skipped).append(" failed · ").append(errors)
        .append(" could not start · ").append(skipped).append(" not started · total ")
        .append(seconds(elapsed)).append(" · started ").append(esc(started.toString()))
        .append("</p></header>\n");
    timeline(b, results, started, elapsed);
    matrix(b, results);
    b.append("<main>\n");
    for (RunResult r : ordered) {
      run(b, r, results.indexOf(r), transcripts, file);
    }
    b.append("</main>\n<footer><details><summary>asciinema-player 3.8.2 licence (Apache 2.0)")
        .append("</summary><pre>").append(esc(licence)).append("</pre></details></footer>\n")
        .append("<script>").append(playerJs).append("</script>\n<script>")
        .append(script).append("</script>\n</body></html>\n");
    return b.toString();
  }

  private static int rank(RunResult r) {
    return r.passed() ? 3 : switch (r.kind()) {
      case RAN -> 0;
      case CANNOT_START -> 1;
      case NOT_STARTED -> 2;
    };
  }

  private static String outcome(RunResult r) {
    return r.passed() ? "passed" : switch (r.kind()) {
      case RAN -> "failed";
      case CANNOT_START -> "error";
      case NOT_STARTED -> "skipped";
    };
  }

  private void timeline(StringBuilder b, List<RunResult> results, Instant started,
                        Duration elapsed) {
    double total = Math.max(1, elapsed.toMillis());
    b.append("<section id=\"timeline\"><h2>Timeline</h2><div class=\"bars\">");
    for (int i = 0; i < results.size(); i++) {
      RunResult r = results.get(i);
      double left = Math.max(0, Math.min(100,
          Duration.between(started, r.started()).toMillis() * 100 / total));
      double width = Math.max(0.2, Math.min(100 - left, r.elapsed().toMillis() * 100 / total));
      b.append("<a class=\"bar ").append(outcome(r)).append("\" href=\"#run-").append(i)
          .append("\" title=\"").append(esc(r.name())).append(": ").append(outcome(r))
          .append(", ").append(seconds(r.elapsed())).append("\" style=\"margin-left:")
          .append(String.format(Locale.ROOT, "%.3f%%;width:%.3f%%", left, width))
          .append("\"></a>");
    }
    b.append("</div></section>\n");
  }

  /** Runs named {@code base[k=v,...]} grouped by base, one row per run, one column per key. */
  private static void matrix(StringBuilder b, List<RunResult> results) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < results.size(); i++) {
      String n = results.get(i).name();
      int open = n.indexOf('[');
      if (open > 0 && n.endsWith("]")) {
        groups.computeIfAbsent(n.substring(0, open), k -> new ArrayList<>()).add(i);
      }
    }
    for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
      List<Map<String, String>> rows = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      for (int i : g.getValue()) {
        String n = results.get(i).name();
        Map<String, String> row = new LinkedHashMap<>();
        for (String kv : n.substring(n.indexOf('[') + 1, n.length() - 1).split(",")) {
          int eq = kv.indexOf('=');
          String k = eq < 0 ? kv : kv.substring(0, eq);
          row.put(k, eq < 0 ? "" : kv.substring(eq + 1));
          if (!keys.contains(k)) {
            keys.add(k);
          }
        }
        rows.add(row);
      }
      b.append("<section class=\"matrix\"><h2>Matrix: ").append(esc(g.getKey()))
          .append("</h2><table><tr>");
      keys.forEach(k -> b.append("<th>").append(esc(k)).append("</th>"));
      b.append("<th>outcome</th><th>time</th></tr>");
      for (int j = 0; j < rows.size(); j++) {
        int i = g.getValue().get(j);
        RunResult r = results.get(i);
        b.append("<tr>");
        for (String k : keys) {
          b.append("<td>").append(esc(rows.get(j).getOrDefault(k, ""))).append("</td>");
        }
        b.append("<td class=\"").append(outcome(r)).append("\"><a href=\"#run-").append(i)
            .append("\">").append(outcome(r)).append("</a></td><td>")
            .append(seconds(r.elapsed())).append("</td></tr>");
      }
      b.append("</table></section>\n");
    }
  }

  private void run(StringBuilder b, RunResult r, int index,
                   Function<String, Optional<TranscriptWriter.Files>> transcripts, Path page) {
    Captured c = runs.get(r.name());
    Optional<TranscriptWriter.Files> files = transcripts.apply(r.name());
    b.append("<details class=\"run ").append(outcome(r)).append("\" id=\"run-").append(index)
        .append('"').append(r.passed() ? "" : " open").append("><summary><span class=\"badge\">")
        .append(outcome(r)).append("</span> <span class=\"name\">").append(esc(r.name()))
        .append("</span> <span class=\"meta\">").append(seconds(r.elapsed())).append(" · ")
        .append(esc(r.exitText())).append(" · ").append(esc(String.valueOf(r.file())))
        .append("</span></summary>\n");
    if (c != null && c.info != null) {
      b.append("<p class=\"meta\">").append(c.info.pty() ? "pty " + c.info.columns() + "x"
          + c.info.rows() : "pipes").append(" · <code>").append(esc(c.info.command()))
          .append("</code></p>\n");
    }
    if (r.failure() != null) {
      b.append("<pre class=\"failure\">").append(esc(r.failure())).append("</pre>\n");
    }
    if (!r.steps().isEmpty()) {
      b.append("<table class=\"steps\"><tr><th>#</th><th>line</th><th>step</th><th>branch</th>")
          .append("<th>matched</th><th>time</th><th></th></tr>");
      for (StepResult s : r.steps()) {
        b.append("<tr class=\"").append(s.passed() ? "passed" : "failed").append("\"><td>")
            .append(s.index()).append("</td><td>").append(s.line()).append("</td><td>")
            .append(esc(s.kind())).append(s.passes() > 1 ? " ×" + s.passes() : "")
            .append("</td><td><code>").append(esc(String.valueOf(
                s.branch() == null ? "" : s.branch()))).append("</code></td><td><code>")
            .append(esc(cut(s.matched() == null ? "" : s.matched(), 200)))
            .append("</code></td><td>").append(seconds(s.elapsed())).append("</td><td>")
            .append(s.passed() ? "✓" : "✗").append("</td></tr>");
      }
      b.append("</table>\n");
    }
    if (c != null) {
      synchronized (c) {
        if (!c.sent.isEmpty()) {
          b.append("<details class=\"sent\"><summary>sent (").append(c.sent.size())
              .append(c.sent.size() >= SENT_LIMIT ? "+" : "").append(")</summary><pre>");
          c.sent.forEach(s -> b.append(esc(s)).append('\n'));
          b.append("</pre></details>\n");
        }
        String link = files.map(f -> link(page, f.cast() != null ? f.cast() : f.out()))
            .orElse(null);
        if (c.info != null && c.info.pty() && !c.events.isEmpty()) {
          JsonObject header = new JsonObject().put("version", 2)
              .put("width", c.info.columns()).put("height", c.info.rows());
          b.append("<div class=\"player\" data-autoplay=\"").append(!r.passed())
              .append("\"></div><script type=\"application/json\" class=\"cast\">")
              .append(scriptSafe(new JsonObject().put("header", header)
                  .put("events", c.events).encode())).append("</script>\n");
          if (c.castCut) {
            cutNote(b, "the recording stops after " + RUN_LIMIT + " characters", link);
          }
        }
        if (c.tail.length() > 0) {
          b.append("<details class=\"output\"").append(c.info != null && c.info.pty()
              ? "" : " open").append("><summary>output</summary>");
          if (c.cut > 0) {
            cutNote(b, c.cut + " characters cut, the last " + c.tail.length() + " shown", link);
          }
          b.append("<pre class=\"out\">").append(esc(c.tail.toString())).append("</pre></details>\n");
        }
      }
    }
    files.ifPresent(f -> b.append("<p class=\"meta\">transcript: <a href=\"")
        .append(esc(link(page, f.out()))).append("\">").append(esc(f.out().toString()))
        .append("</a></p>\n"));
    b.append("</details>\n");
  }

  private static void cutNote(StringBuilder b, String what, String link) {
    b.append("<p class=\"cut\">").append(esc(what));
    if (link != null) {
      b.append(": full output in <a href=\"").append(esc(link)).append("\">")
          .append(esc(link)).append("</a>");
    } else {
      b.append(" (run with --transcript DIR to keep all of it)");
    }
    b.append("</p>");
  }

  /** A link from the page to {@code target}, relative where both are on the same tree. */
  private static String link(Path page, Path target) {
    try {
      Path from = page.toAbsolutePath().normalize().getParent();
      String rel = from.relativize(target.toAbsolutePath().normalize()).toString();
      StringBuilder u = new StringBuilder();
      for (String part : rel.split("/", -1)) {
        if (u.length() > 0) {
          u.append('/');
        }
        u.append(java.net.URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
      }
      return u.toString();
    } catch (IllegalArgumentException e) {
      return target.toUri().toString();
    }
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.2fs", d.toMillis() / 1000.0);
  }

  /** Escapes text for HTML content and attribute values. */
  static String esc(String s) {
    StringBuilder o = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '<' -> o.append("&lt;");
        case '>' -> o.append("&gt;");
        case '&' -> o.append("&amp;");
        case '"' -> o.append("&quot;");
        case '\'' -> o.append("&#39;");
        default -> {
          if (ch < 0x20 && ch != '\n' && ch != '\t') {
            o.append(ch == '\r' ? "" : "\uFFFD");
          } else {
            o.append(ch);
          }
        }
      }
    }
    return o.toString();
  }

  /** JSON safe inside a script element: no {@code <}, and no line separators JS would reject. */
  static String scriptSafe(String json) {
    return json.replace("<", "\\u003c").replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029");
  }

  private static String hash(String inline) {
    try {
      return "'sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(inline.getBytes(StandardCharsets.UTF_8))) + "'";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = HtmlReport.class.getResourceAsStream(PLAYER + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + PLAYER + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String STYLE = """
      body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1em;\
      color:#222}
      h1.pass{color:#176f2c}h1.fail{color:#b3261e}
      .bars{position:relative;border:1px solid #ccc;padding:2px}
      .bar{display:block;height:4px;margin:1px 0;min-width:2px}
      .passed .badge,.bar.passed{background:#2e9e4a}.failed .badge,.bar.failed{background:#d33}
      .error .badge,.bar.error{background:#e08a00}.skipped .badge,.bar.skipped{background:#999}
      .badge{color:#fff;border-radius:3px;padding:0 .4em;font-size:12px}
      details.run{border:1px solid #ddd;border-radius:4px;margin:.4em 0;padding:.3em .6em}
      details.run>summary{cursor:pointer}.name{font-weight:600}.meta{color:#666}
      pre{background:#111;color:#eee;padding:.6em;overflow:auto;max-height:40em;\
      white-space:pre-wrap;word-break:break-all}
      pre.failure{background:#fff4f4;color:#600;border-left:4px solid #d33}
      table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ddd;padding:2px 6px;\
      text-align:left;font-size:13px}tr.failed td{background:#fff0f0}
      td.failed a,td.error a{color:#b3261e}td.passed a{color:#176f2c}.cut{color:#a60}
      """;

  private static final String SCRIPT = """
      (function(){
        var body=document.body;
        function count(a){body.setAttribute(a,String(Number(body.getAttribute(a))+1));}
        document.addEventListener('securitypolicyviolation',function(){count('data-violations');});
        window.addEventListener('error',function(){count('data-errors');});
        function start(box){
          if(box.getAttribute('data-started'))return;
          box.setAttribute('data-started','1');
          var cast=JSON.parse(box.nextElementSibling.textContent);
          var text=JSON.stringify(cast.header)+'\\n'+cast.events.map(function(e){
            return JSON.stringify(e);}).join('\\n')+'\\n';
          AsciinemaPlayer.create({data:text},box,{autoPlay:box.getAttribute('data-autoplay')==='true',
            fit:'width',idleTimeLimit:2});
        }
        document.querySelectorAll('details.run').forEach(function(d){
          function visible(){if(d.open)d.querySelectorAll('.player').forEach(start);}
          d.addEventListener('toggle',visible);visible();
        });
      })();
      """;
}
