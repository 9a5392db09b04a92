package dev.promptly.report;

import dev.promptly.match.LineTail;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * {@code --junit FILE}: JUnit XML as Jenkins, GitLab and Surefire's report read it. One
 * {@code testsuite} per dialogue file, one {@code testcase} per run (classname: the file, name:
 * the run), a {@code failure} whose message is the first line of why and whose body is all of it,
 * and {@code system-out} with the last {@value #TAIL_LINES} lines the child wrote (masked, control
 * characters escaped: XML 1.0 cannot hold them). Observes runs to keep those last lines.
 */
public final class JunitReport implements RunObserver {
  private static final java.time.format.DateTimeFormatter TIMESTAMP =
      java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", java.util.Locale.ROOT);

  /** Lines of output kept per run for {@code system-out}. */
  public static final int TAIL_LINES = 100;

  private final Map<String, LineTail> tails = new ConcurrentHashMap<>();

  @Override
  public void started(RunInfo run) {
    tails.put(run.name(), new LineTail(TAIL_LINES, 1000));
  }

  @Override
  public void output(String run, byte[] bytes, String text) {
    LineTail t = tails.get(run);
    if (t != null) {
      t.append(text);
    }
  }

  /** What was sent (masked) shows after its prompt, as on a terminal (a pty echoes it itself). */
  @Override
  public void sent(String run, String shown, boolean echoedByTerminal) {
    LineTail t = tails.get(run);
    if (t != null && !echoedByTerminal) {
      t.append(shown);
    }
  }

  /** The last lines of a run's output, masked, as kept for {@code system-out}. */
  public List<String> tail(String run) {
    LineTail t = tails.get(run);
    return t == null ? List.of() : t.lines();
  }

  /** Writes the report of {@code results} to {@code file} (owner-only). */
  public void write(Path file, List<RunResult> results) throws IOException {
    OwnerOnly.replace(file, os -> write(os, results));
  }

  void write(OutputStream os, List<RunResult> results) throws IOException {
    Map<Path, List<RunResult>> byFile = new LinkedHashMap<>();
    for (RunResult r : results) {
      byFile.computeIfAbsent(r.file(), k -> new ArrayList<>()).add(r);
    }
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(os, "UTF-8");
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuites");
      x.writeAttribute("name", "promptly");
      x.writeAttribute("tests", Integer.toString(results.size()));
      x.writeAttribute("failures", Long.toString(failures(results)));
      x.writeAttribute("errors", Long.toString(count(results, RunResult.Kind.CANNOT_START)));
      x.writeAttribute("time", seconds(total(results)));
      x.writeCharacters("\n");
      int id = 0;
      for (Map.Entry<Path, List<RunResult>> e : byFile.entrySet()) {
        List<RunResult> runs = e.getValue();
        x.writeCharacters("  ");
        x.writeStartElement("testsuite");
        x.writeAttribute("name", text(String.valueOf(e.getKey())));
        x.writeAttribute("tests", Integer.toString(runs.size()));
        x.writeAttribute("failures", Long.toString(failures(runs)));
        x.writeAttribute("errors", Long.toString(count(runs, RunResult.Kind.CANNOT_START)));
        x.writeAttribute("skipped", Long.toString(count(runs, RunResult.Kind.NOT_STARTED)));
        x.writeAttribute("time", seconds(total(runs)));
        // Always with seconds: LocalDateTime.toString() drops ":00", which the schema refuses.
        x.writeAttribute("timestamp", TIMESTAMP.format(LocalDateTime.ofInstant(
            runs.get(0).started(), ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)));
        x.writeAttribute("hostname", hostname());
        x.writeAttribute("id", Integer.toString(id++));
        x.writeAttribute("package", "promptly");
        x.writeCharacters("\n");
        for (RunResult r : runs) {
          testcase(x, r);
        }
        x.writeCharacters("  ");
        x.writeEndElement();
        x.writeCharacters("\n");
      }
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.flush();
      x.close();
    } catch (XMLStreamException e) {
      throw new IOException("cannot write JUnit XML: " + e.getMessage(), e);
    }
  }

  private void testcase(XMLStreamWriter x, RunResult r) throws XMLStreamException {
    x.writeCharacters("    ");
    x.writeStartElement("testcase");
    x.writeAttribute("classname", text(className(r.file())));
    x.writeAttribute("name", text(r.name()));
    x.writeAttribute("time", seconds(r.elapsed()));
    if (r.kind() == RunResult.Kind.NOT_STARTED) {
      x.writeCharacters("\n      ");
      x.writeEmptyElement("skipped");
      x.writeAttribute("message", lines(r.failure() == null ? "not started" : r.failure()));
    } else if (!r.passed()) {
      String failure = r.failure() == null ? "failed" : r.failure();
      boolean error = r.kind() == RunResult.Kind.CANNOT_START;
      x.writeCharacters("\n      ");
      x.writeStartElement(error ? "error" : "failure");
      x.writeAttribute("message", lines(failure.lines().findFirst().orElse("failed")));
      x.writeAttribute("type", error ? "cannot start" : r.signal() != null
          ? "killed by " + r.signal() : "failed step");
      x.writeCharacters(lines(failure + "\n" + r.exitText()));
      x.writeEndElement();
    }
    List<String> tail = tail(r.name());
    x.writeCharacters("\n      ");
    x.writeStartElement("system-out");
    StringBuilder sb = new StringBuilder();
    for (String line : tail) {
      sb.append(Visible.escape(line)).append('\n');
    }
    x.writeCharacters(sb.toString());
    x.writeEndElement();
    x.writeCharacters("\n    ");
    x.writeEndElement();
    x.writeCharacters("\n");
  }

  /** Each line escaped on its own, line breaks kept. */
  private static String lines(String s) {
    StringBuilder sb = new StringBuilder();
    for (String line : s.split("\n", -1)) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(Visible.escape(line));
    }
    return sb.toString();
  }

  private static String text(String s) {
    return Visible.escape(s);
  }

  /** Failed runs whose child ran: runs that could not start are errors, others skipped. */
  private static long failures(List<RunResult> runs) {
    return runs.stream().filter(r -> !r.passed() && r.kind() == RunResult.Kind.RAN).count();
  }

  private static long count(List<RunResult> runs, RunResult.Kind kind) {
    return runs.stream().filter(r -> r.kind() == kind).count();
  }

  /**
   * The testcase's class name: the dialogue file without its extension, with no dot left, since
   * JUnit tools read dots in a class name as packages ({@code x.yaml} would be class {@code yaml}
   * in package {@code x}).
   */
  static String className(Path file) {
    String f = String.valueOf(file);
    int slash = f.lastIndexOf('/');
    int dot = f.lastIndexOf('.');
    if (dot > slash + 1) {
      f = f.substring(0, dot);
    }
    return f.replace('.', '_');
  }

  private static Duration total(List<RunResult> runs) {
    return runs.stream().map(RunResult::elapsed).reduce(Duration.ZERO, Duration::plus);
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
  }

  // Not InetAddress.getLocalHost(): that may wait on a name lookup.
  private static String hostname() {
    String h = System.getenv("HOSTNAME");
    if (h == null || h.isBlank()) {
      try {
        h = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
      } catch (IOException | RuntimeException e) {
        h = null;
      }
    }
    return h == null || h.isBlank() ? "localhost" : text(h);
  }
}
