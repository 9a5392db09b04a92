package dev.promptly.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code --json FILE}: every run and every step, as described by the JSON Schema published with
 * the jar at {@value #SCHEMA_RESOURCE}. Everything in it is already masked.
 */
public final class JsonReport {
  /** The schema of the report, a resource of the jar. */
  public static final String SCHEMA_RESOURCE = "/schema/promptly-report.schema.json";
  /** The schema's {@code $id}, also written as the report's {@code $schema}. */
  public static final String SCHEMA_ID = "https://promptly.dev/schema/promptly-report-1.json";
  /** Version of the report's format. */
  public static final int FORMAT = 2;

  private final Function<String, Optional<TranscriptWriter.Files>> transcripts;
  private Map<String, Placement> placements = Map.of();

  /**
   * Where a run of {@code run --cluster} ran.
   *
   * @param worker the worker whose result is reported
   * @param attempts how many times the run was handed out (more than 1: retried)
   * @param lostWorkers the workers lost while they had the run, in order
   */
  public record Placement(String worker, int attempts, List<String> lostWorkers) {
    public Placement {
      lostWorkers = List.copyOf(lostWorkers);
    }
  }

  /** Adds each cluster run's placement (by run name) to the report; returns this. */
  public JsonReport placements(Map<String, Placement> byRun) {
    this.placements = Map.copyOf(byRun);
    return this;
  }

  /** A report without transcripts. */
  public JsonReport() {
    this(run -> Optional.empty());
  }

  /** A report that names each run's transcript files, as {@code transcripts} gives them. */
  public JsonReport(Function<String, Optional<TranscriptWriter.Files>> transcripts) {
    this.transcripts = transcripts;
  }

  /** The report as JSON. */
  public JsonObject toJson(List<RunResult> results, Instant started, Duration elapsed) {
    JsonArray runs = new JsonArray();
    long failed = 0;
    for (RunResult r : results) {
      runs.add(run(r));
      failed += r.passed() ? 0 : 1;
    }
    return new JsonObject()
        .put("$schema", SCHEMA_ID)
        .put("format", FORMAT)
        .put("tool", "promptly")
        .put("started", started.toString())
        .put("elapsedMs", elapsed.toMillis())
        .put("passed", failed == 0)
        .put("counts", new JsonObject().put("runs", results.size())
            .put("passed", results.size() - failed).put("failed", failed)
            .put("errors", results.stream()
                .filter(r -> r.kind() == RunResult.Kind.CANNOT_START).count())
            .put("notStarted", results.stream()
                .filter(r -> r.kind() == RunResult.Kind.NOT_STARTED).count()))
        .put("runs", runs);
  }

  /** Writes the report to {@code file} (owner-only). */
  public void write(Path file, List<RunResult> results, Instant started, Duration elapsed)
      throws IOException {
    byte[] json = toJson(results, started, elapsed).encodePrettily()
        .getBytes(StandardCharsets.UTF_8);
    OwnerOnly.replace(file, os -> {
      os.write(json);
      os.write('\n');
    });
  }

  private JsonObject run(RunResult r) {
    JsonArray steps = new JsonArray();
    for (StepResult s : r.steps()) {
      JsonObject captures = new JsonObject();
      s.captures().forEach(captures::put);
      steps.add(new JsonObject()
          .put("index", s.index())
          .put("line", s.line())
          .put("kind", s.kind())
          .put("passed", s.passed())
          .put("branch", s.branch())
          .put("matched", s.matched())
          .put("offset", s.offset())
          .put("byteOffset", s.byteOffset())
          .put("captures", captures)
          .put("elapsedMs", s.elapsed().toMillis())
          .put("passes", s.passes()));
    }
    JsonObject transcript = transcripts.apply(r.name()).map(f -> new JsonObject()
        .put("out", f.out().toString())
        .put("log", f.log().toString())
        .put("cast", f.cast() == null ? null : f.cast().toString())).orElse(null);
    JsonObject run = new JsonObject()
        .put("name", r.name())
        .put("file", String.valueOf(r.file()))
        .put("passed", r.passed())
        .put("started", r.kind() != RunResult.Kind.NOT_STARTED)
        .put("outcome", r.passed() ? "passed" : switch (r.kind()) {
          case RAN -> "failed";
          case CANNOT_START -> "error";
          case NOT_STARTED -> "skipped";
        })
        .put("failure", r.failure())
        .put("exitCode", r.exitCode())
        .put("signal", r.signal())
        .put("exit", r.exitText())
        .put("startedAt", r.started().toString())
        .put("elapsedMs", r.elapsed().toMillis())
        .put("bytesRead", r.bytesRead())
        .put("bytesWritten", r.bytesWritten())
        .put("transcript", transcript)
        .put("steps", steps);
    Placement p = placements.get(r.name());
    if (p != null) {
      run.put("cluster", new JsonObject().put("worker", p.worker()).put("attempts", p.attempts())
          .put("retried", p.attempts() > 1).put("lostWorkers", new JsonArray(p.lostWorkers())));
    }
    return run;
  }
}
