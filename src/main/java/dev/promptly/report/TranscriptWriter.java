package dev.promptly.report;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --transcript DIR}: per run, {@code NAME.out} holds every byte the child wrote, exactly
 * (secrets replaced by {@code ******}); {@code NAME.log} is the timeline: when each read arrived and
 * where it lies in {@code .out}, what was sent, what matched, the end; a pty run also gets
 * {@code NAME.cast}, an asciicast v2 recording. Files are owner-only. Writes go through buffers on
 * the run's own context (a page-cache write does not hold the event loop), so memory stays bounded
 * however much a child prints.
 */
public final class TranscriptWriter implements RunObserver, AutoCloseable {
  /** How long written output may wait in a buffer: {@code tail -f} shows a stuck run. */
  static final long FLUSH_MILLIS = 100;

  private static final Logger LOG = LoggerFactory.getLogger("promptly.report");
  private static final int BUFFER = 64 * 1024;

  /** The files of one run's transcript ({@code cast} null without a pty). */
  public record Files(Path out, Path log, Path cast) {
  }

  private final Path dir;
  private final Map<String, Transcript> open = new ConcurrentHashMap<>();
  private final Map<String, Files> files = new ConcurrentHashMap<>();
  private final Set<String> usedNames = new HashSet<>();
  private final List<String> errors = new ArrayList<>();

  /**
   * Flushes what waits in the open transcripts' buffers every {@link #FLUSH_MILLIS}: a run that
   * waits on a prompt has all its output on disk. One daemon thread, ended by {@link #close}.
   */
  private final java.util.concurrent.ScheduledExecutorService flusher;

  /** Transcripts in {@code dir}, created (owner-only) if missing. */
  public TranscriptWriter(Path dir) throws IOException {
    this.dir = OwnerOnly.directory(dir);
    this.flusher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "promptly-transcripts");
      t.setDaemon(true);
      return t;
    });
    flusher.scheduleWithFixedDelay(() -> open.values().forEach(Transcript::flush),
        FLUSH_MILLIS, FLUSH_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Stops the flushing thread (transcripts still open are flushed first). */
  @Override
  public void close() {
    flusher.shutdown();
    open.values().forEach(Transcript::flush);
  }

  /** The transcript files of a run, once it started. */
  public Optional<Files> files(String run) {
    return Optional.ofNullable(files.get(run));
  }

  /** Problems met while writing (a full disk, ...): the runs go on, the CLI reports them. */
  public List<String> errors() {
    synchronized (errors) {
      return List.copyOf(errors);
    }
  }

  /**
   * Checks, before anything runs, the files the transcripts of these runs will be written to:
   * a symbolic link, FIFO, device or folder planted at one of them is refused now (exit 2)
   * rather than followed, opened or found half-way through.
   */
  public void check(List<String> runs) throws IOException {
    Set<String> used = new HashSet<>();
    for (String run : runs) {
      String name = unique(base(run), used);
      for (String ext : new String[] {".out", ".log", ".cast", ".screen"}) {
        OwnerOnly.checkTarget(dir.resolve(name + ext));
      }
    }
  }

  /** A file name from a run name: letters, digits, {@code . _ -}; unique in this folder. */
  String fileName(String run) {
    synchronized (usedNames) {
      return unique(base(run), usedNames);
    }
  }

  private static String unique(String base, Set<String> used) {
    String name = base;
    for (int i = 2; !used.add(name.toLowerCase(Locale.ROOT)); i++) {
      name = base + "-" + i;
    }
    return name;
  }

  private static String base(String run) {
    StringBuilder sb = new StringBuilder();
    run.codePoints().forEach(c -> sb.append(c < 128 && (Character.isLetterOrDigit(c)
        || c == '.' || c == '_' || c == '-') ? (char) c : '_'));
    String base = sb.length() == 0 ? "run" : sb.length() > 100 ? sb.substring(0, 100)
        : sb.toString();
    if (base.startsWith(".")) {
      base = "_" + base.substring(1);
    }
    return base;
  }

  @Override
  public void started(RunInfo run) {
    open(run);
  }

  @Override
  public void output(String run, byte[] bytes, String text) {
    Transcript t = open.get(run);
    if (t != null) {
      t.output(bytes, text);
    }
  }

  @Override
  public void sent(String run, String shown, boolean echoedByTerminal) {
    Transcript t = open.get(run);
    if (t != null) {
      t.event(">> sent \"" + Visible.escape(shown) + "\"");
      t.cast("i", shown);
    }
  }

  @Override
  public void matched(String run, int step, String branch, String text, long byteOffset) {
    Transcript t = open.get(run);
    if (t != null) {
      t.event("<< step " + step + " matched " + Visible.escape(branch) + " at byte " + byteOffset
          + ": \"" + Visible.escape(text) + "\"");
    }
  }

  @Override
  public void logged(String run, String text) {
    Transcript t = open.get(run);
    if (t != null) {
      t.event("-- log \"" + Visible.escape(text) + "\"");
    }
  }

  @Override
  public void outputEnded(String run) {
    Transcript t = open.get(run);
    if (t != null) {
      t.event("eof");
    }
  }

  @Override
  public void finished(RunResult result) {
    Transcript t = open.remove(result.name());
    if (t == null) {
      // Never started: the timeline still says why.
      t = open(new RunInfo(result.name(), result.file(), "", -1, false, false, 0, 0, null,
          result.started()));
      open.remove(result.name());
      if (t == null) {
        return;
      }
    }
    t.event((result.passed() ? "PASS " : "FAIL ") + result.exitText());
    if (result.failure() != null) {
      for (String line : result.failure().split("\n")) {
        t.line("# " + line);
      }
    }
    t.close();
  }

  private Transcript open(RunInfo run) {
    String name = fileName(run.name());
    Files f = new Files(dir.resolve(name + ".out"), dir.resolve(name + ".log"),
        run.pty() ? dir.resolve(name + ".cast") : null);
    try {
      Transcript t = new Transcript(run, f);
      files.put(run.name(), f);
      open.put(run.name(), t);
      return t;
    } catch (IOException e) {
      error(run.name(), e);
      return null;
    }
  }

  private void error(String run, IOException e) {
    String msg = "transcript of " + run + ": " + e;
    LOG.warn(msg);
    synchronized (errors) {
      errors.add(msg);
    }
  }

  /** One run's files. Touched only from the run's context. */
  private final class Transcript {
    final RunInfo run;
    // Times count from the run's start, as in the reports.
    final long t0;
    final OutputStream out;
    final Writer log;
    final Writer cast;
    /** Pty runs: the screen as the output leaves it, written as NAME.screen at the end. */
    final dev.promptly.match.screen.ScreenView screen;
    final Path screenFile;
    long offset;
    boolean failed;
    boolean closed;

    Transcript(RunInfo run, Files f) throws IOException {
      this.run = run;
      this.screen = run.pty() ? new dev.promptly.match.screen.ScreenView(
          run.rows() > 0 ? run.rows() : 24, run.columns() > 0 ? run.columns() : 80) : null;
      String outName = f.out().getFileName().toString();
      this.screenFile = f.out().resolveSibling(outName.substring(0, outName.length() - 4)
          + ".screen");
      this.t0 = System.nanoTime()
          - Math.max(0, java.time.Duration.between(run.started(), Instant.now()).toNanos());
      OutputStream o = null;
      Writer l = null;
      try {
        o = new BufferedOutputStream(OwnerOnly.create(f.out()), BUFFER);
        l = new BufferedWriter(new OutputStreamWriter(OwnerOnly.create(f.log()),
            StandardCharsets.UTF_8), BUFFER);
        this.cast = f.cast() == null ? null : new BufferedWriter(new OutputStreamWriter(
            OwnerOnly.create(f.cast()), StandardCharsets.UTF_8), BUFFER);
      } catch (IOException e) {
        closeQuietly(o);
        closeQuietly(l);
        throw e;
      }
      this.out = o;
      this.log = l;
      header(f);
    }

    void header(Files f) throws IOException {
      log.write("# promptly transcript v1: run " + Visible.escape(run.name()) + ", file "
          + run.file() + "\n");
      log.write("# started " + run.started() + (run.pid() >= 0 ? ", pid " + run.pid() : "")
          + (run.pty() ? ", pty " + run.rows() + "x" + run.columns() : ", pipes")
          + ", command: " + Visible.escape(run.command()) + "\n");
      log.write("# output: " + f.out().getFileName() + " (every byte the child wrote; secrets as "
          + "******)\n");
      log.write("# columns: seconds since start, size of the .out file then, event\n");
      if (cast != null) {
        Instant s = run.started();
        JsonObject h = new JsonObject().put("version", 2).put("width", run.columns())
            .put("height", run.rows()).put("timestamp", s.getEpochSecond())
            .put("title", run.name());
        if (run.term() != null) {
          h.put("env", new JsonObject().put("TERM", run.term()));
        }
        cast.write(h.encode());
        cast.write('\n');
      }
      event("start" + (run.pid() >= 0 ? " pid " + run.pid() : ""));
    }

    double seconds() {
      return (System.nanoTime() - t0) / 1e9;
    }

    void output(byte[] bytes, String text) {
      if (failed) {
        return;
      }
      try {
        if (bytes.length > 0) {
          out.write(bytes);
          event("out " + bytes.length);
          offset += bytes.length;
        }
        cast("o", text);
        if (screen != null) {
          screen.feed(text);
        }
      } catch (IOException e) {
        fail(e);
      }
    }

    void event(String what) {
      line(String.format(Locale.ROOT, "%.6f %d %s", seconds(), offset, what));
    }

    void line(String text) {
      if (failed) {
        return;
      }
      try {
        log.write(text);
        log.write('\n');
      } catch (IOException e) {
        fail(e);
      }
    }

    void cast(String kind, String text) {
      if (cast == null || failed || text.isEmpty()) {
        return;
      }
      try {
        cast.write(String.format(Locale.ROOT, "[%.6f, \"%s\", %s]\n", seconds(), kind,
            Json.encode(text)));
      } catch (IOException e) {
        fail(e);
      }
    }

    void fail(IOException e) {
      failed = true;
      error(run.name(), e);
    }

    /** Pushes buffered bytes to the files; from the flushing thread (the streams lock). */
    synchronized void flush() {
      if (failed || closed) {
        return;
      }
      try {
        out.flush();
        log.flush();
        if (cast != null) {
          cast.flush();
        }
      } catch (IOException e) {
        fail(e);
      }
    }

    synchronized void close() {
      closed = true;
      IOException first = null;
      if (screen != null && !failed) {
        try {
          String text = screen.text() + "\n";
          OwnerOnly.replace(screenFile, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
          first = e instanceof IOException io ? io : new IOException(e);
        }
      }
      for (java.io.Closeable c : new java.io.Closeable[] {out, log, cast}) {
        try {
          if (c != null) {
            c.close();
          }
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
      if (first != null && !failed) {
        fail(first);
      }
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (IOException ignored) {
      // Already failing.
    }
  }
}
