package dev.promptly.cluster;

import dev.promptly.report.RunInfo;
import dev.promptly.report.RunResult;
import dev.promptly.report.StepResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The messages between coordinator and workers, as JSON on the event bus. */
final class Wire {
  static final String ASK = "promptly.cluster.ask";
  static final String RESULT = "promptly.cluster.result";
  static final String EVENT = "promptly.cluster.event";
  static final String STOP = "promptly.cluster.stop";

  private Wire() {
  }

  static JsonObject result(RunResult r) {
    JsonArray steps = new JsonArray();
    for (StepResult s : r.steps()) {
      steps.add(new JsonObject().put("index", s.index()).put("line", s.line())
          .put("kind", s.kind()).put("passed", s.passed()).put("branch", s.branch())
          .put("matched", s.matched()).put("offset", s.offset()).put("byteOffset", s.byteOffset())
          .put("captures", new JsonObject(new LinkedHashMap<>(s.captures())))
          .put("elapsed", s.elapsed().toNanos()).put("passes", s.passes()));
    }
    return new JsonObject().put("name", r.name()).put("passed", r.passed())
        .put("failure", r.failure()).put("exitCode", r.exitCode()).put("signal", r.signal())
        .put("started", r.started().toString()).put("elapsed", r.elapsed().toNanos())
        .put("steps", steps).put("bytesRead", r.bytesRead()).put("bytesWritten", r.bytesWritten())
        .put("kind", r.kind().name());
  }

  static RunResult result(JsonObject j, Path file, String failure) {
    List<StepResult> steps = new ArrayList<>();
    for (Object o : j.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      Map<String, String> captures = new LinkedHashMap<>();
      s.getJsonObject("captures").forEach(e -> captures.put(e.getKey(), (String) e.getValue()));
      steps.add(new StepResult(s.getInteger("index"), s.getInteger("line"), s.getString("kind"),
          s.getBoolean("passed"), s.getString("branch"), s.getString("matched"),
          s.getLong("offset"), s.getLong("byteOffset"), captures,
          Duration.ofNanos(s.getLong("elapsed")), s.getInteger("passes")));
    }
    return new RunResult(j.getString("name"), file, j.getBoolean("passed"),
        failure != null ? failure : j.getString("failure"), j.getInteger("exitCode"),
        j.getString("signal"), Instant.parse(j.getString("started")),
        Duration.ofNanos(j.getLong("elapsed")), steps, j.getLong("bytesRead"),
        j.getLong("bytesWritten"), RunResult.Kind.valueOf(j.getString("kind")));
  }

  static JsonObject info(RunInfo i) {
    return new JsonObject().put("name", i.name()).put("command", i.command()).put("pid", i.pid())
        .put("quiet", i.quiet()).put("pty", i.pty()).put("rows", i.rows())
        .put("columns", i.columns()).put("term", i.term()).put("started", i.started().toString());
  }

  static RunInfo info(JsonObject j, String name, Path file) {
    return new RunInfo(name, file, j.getString("command"), j.getLong("pid"),
        j.getBoolean("quiet"), j.getBoolean("pty"), j.getInteger("rows"), j.getInteger("columns"),
        j.getString("term"), Instant.parse(j.getString("started")));
  }
}
