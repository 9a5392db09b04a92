package dev.promptly.cluster;

import dev.promptly.engine.Engine;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import dev.promptly.api.RunOptions;
import dev.promptly.dsl.Dialogue;
import dev.promptly.report.JsonReport;
import dev.promptly.report.RunInfo;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code promptly run --cluster}: holds the ledger of runs (queued, in flight on which worker,
 * done), hands runs to workers that ask with free capacity, re-queues the runs of a worker that
 * leaves or dies (Hazelcast member removal, after 5 s without heartbeat for a stopped one), and
 * accepts one result per run (the one of its current attempt). All ledger state lives on one
 * event-loop context.
 */
public final class Coordinator implements AutoCloseable {
  private record Job(String id, String name, Path file, JsonObject message) {
  }

  private record Assignment(String worker, String member, int attempt) {
  }

  private final ClusterConfig config;
  private final ClusterConfig.Member member;
  private final PrintWriter err;
  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final Map<String, Assignment> inFlight = new HashMap<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  private final Map<String, List<String>> lost = new HashMap<>();
  private final Map<String, RunResult> done = new LinkedHashMap<>();
  private final Map<String, String> workers = new HashMap<>();
  private final List<Message<JsonObject>> parked = new ArrayList<>();
  private final Promise<List<RunResult>> finished = Promise.promise();
  private RunObserver observer = RunObserver.NONE;
  private RunObserver view = RunObserver.NONE;
  private boolean stopped;
  private String stopWhy;
  private long noWorkerTimer = -1;
  // -Dpromptly.cluster.stats=true: count what the coordinator receives and sends (scripts/bench-cluster).
  private static final boolean STATS = Boolean.getBoolean("promptly.cluster.stats");
  private long messagesIn;
  private long bytesIn;
  private long messagesOut;
  private long bytesOut;
  private final Map<String, String> ranOn = new HashMap<>();
  private java.util.function.IntConsumer workerCount = n -> { };
  private Runnable tick = () -> { };

  private Coordinator(ClusterConfig config, ClusterConfig.Member member, PrintWriter err) {
    this.config = config;
    this.member = member;
    this.err = err;
  }

  /** Told the number of workers whenever it changes (the status line). */
  public Coordinator onWorkers(java.util.function.IntConsumer workerCount) {
    this.workerCount = workerCount;
    return this;
  }

  /** Called every 100 ms on the coordinator's context while runs go on (the status line). */
  public Coordinator ticking(Runnable tick) {
    this.tick = tick;
    return this;
  }

  /** Joins the cluster as its coordinator. */
  public static Future<Coordinator> start(ClusterConfig config, PrintWriter err) {
    java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
    HazelcastLog.onMismatch(address -> { }, address -> {
      if (refused.add(address)) {
        synchronized (err) {
          err.println("promptly: refused a member at " + address + ": it has another cluster "
              + "name or key");
          err.flush();
        }
      }
    });
    return config.start().map(m -> new Coordinator(config, m, err));
  }

  /**
   * Runs every run of the dialogues on the workers and waits for all of them.
   *
   * @param dialogues dialogues as loaded (their files are read again and sent with each run)
   * @param options timeout, grace and variables, as for a local run
   * @param observer told of every event with the plain run name (reports, transcripts)
   * @param view told of every event with the run tagged {@code run@worker} (the live view)
   * @return the results, one per run that started
   * @throws IOException when a dialogue file cannot be read again
   */
  public List<RunResult> run(List<Dialogue> dialogues, RunOptions options, RunObserver observer,
                             RunObserver view) throws IOException {
    this.observer = observer;
    this.view = view;
    Map<Path, String> contents = new HashMap<>();
    int n = 0;
    for (Dialogue d : dialogues) {
      String content = contents.get(d.file());
      if (content == null) {
        content = Files.readString(d.file());
        contents.put(d.file(), content);
      }
      for (String name : Engine.runNames(d, options)) {
        String id = Integer.toString(n++);
        JsonObject m = new JsonObject().put("id", id).put("name", name)
            .put("fileName", d.file().getFileName().toString()).put("content", content)
            .put("vars", new JsonObject(new LinkedHashMap<>(options.getVars())))
            .put("timeout", options.getTimeout().toMillis())
            .put("grace", options.getGrace().toMillis());
        Job job = new Job(id, name, d.file(), m);
        jobs.put(id, job);
        queue.add(job);
      }
    }
    var bus = member.vertx().eventBus();
    member.vertx().runOnContext(v -> {
      bus.<JsonObject>consumer(Wire.ASK, msg -> onAsk(counted(msg)));
      bus.<JsonObject>consumer(Wire.RESULT, msg -> onResult(counted(msg).body()));
      bus.<JsonObject>consumer(Wire.EVENT, msg -> onEvent(counted(msg).body()));
      member.manager().getHazelcastInstance().getCluster().addMembershipListener(
          new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
              String uuid = e.getMember().getUuid().toString();
              member.vertx().runOnContext(x -> onMemberLost(uuid));
            }
          });
      armNoWorker();
      long ticker = member.vertx().setPeriodic(100, t -> tick.run());
      finished.future().onComplete(x -> member.vertx().cancelTimer(ticker));
      checkDone();
    });
    return finished.future().toCompletionStage().toCompletableFuture().join();
  }

  private void armNoWorker() {
    if (noWorkerTimer >= 0 || !workers.isEmpty() || finished.future().isComplete()) {
      return;
    }
    noWorkerTimer = member.vertx().setTimer(config.joinTimeout().toMillis(), t -> {
      noWorkerTimer = -1;
      if (workers.isEmpty() && !finished.future().isComplete()) {
        err.println("promptly: no worker joined within " + config.joinTimeout().toSeconds()
            + "s (cluster '" + config.name() + "' on " + config.host() + ", join "
            + String.join(",", config.join()) + "); start workers with `promptly worker --join "
            + config.host() + ":" + port() + "`");
        err.flush();
        stop("not started: no worker in the cluster");
        finishIfIdle();
      }
    });
  }

  /** The Hazelcast port this member bound. */
  public int port() {
    return member.manager().getHazelcastInstance().getCluster().getLocalMember().getAddress()
        .getPort();
  }

  private void onAsk(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    String uuid = q.getString("member");
    if (workers.put(uuid, q.getString("worker")) == null) {
      if (noWorkerTimer >= 0) {
        member.vertx().cancelTimer(noWorkerTimer);
        noWorkerTimer = -1;
      }
      workerCount.accept(workers.size());
      err.println("promptly: worker " + q.getString("worker") + " joined (" + workers.size()
          + " worker" + (workers.size() == 1 ? "" : "s") + ")");
      err.flush();
    }
    if (stopped || queue.isEmpty()) {
      parked.add(msg);
      member.vertx().setTimer(1000, t -> {
        if (parked.remove(msg)) {
          msg.reply(new JsonObject().put("runs", new JsonArray()));
        }
      });
      return;
    }
    serve(msg);
  }

  private void serve(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    JsonArray runs = new JsonArray();
    for (int i = 0; i < q.getInteger("free") && !queue.isEmpty(); i++) {
      Job job = queue.poll();
      int attempt = attempts.merge(job.id(), 1, Integer::sum);
      inFlight.put(job.id(), new Assignment(q.getString("worker"), q.getString("member"),
          attempt));
      runs.add(job.message().copy().put("attempt", attempt));
    }
    JsonObject reply = new JsonObject().put("runs", runs).put("coordinator", member.uuid());
    if (STATS) {
      messagesOut++;
      bytesOut += reply.toBuffer().length();
    }
    msg.reply(reply);
  }

  private void serveParked() {
    while (!parked.isEmpty() && !queue.isEmpty() && !stopped) {
      serve(parked.remove(0));
    }
  }

  private boolean current(JsonObject m) {
    Assignment a = inFlight.get(m.getString("id"));
    return a != null && a.attempt() == m.getInteger("attempt");
  }

  private String tagged(Job job, JsonObject m) {
    return job.name() + "@" + m.getString("worker");
  }

  private void onEvent(JsonObject m) {
    if (!current(m)) {
      return;
    }
    Job job = jobs.get(m.getString("id"));
    String name = job.name();
    String tag = tagged(job, m);
    switch (m.getString("t")) {
      case "started" -> {
        RunInfo info = Wire.info(m.getJsonObject("info"), name, job.file());
        observer.started(info);
        view.started(Wire.info(m.getJsonObject("info"), tag, job.file()));
      }
      case "out" -> {
        byte[] bytes = m.getBinary("bytes");
        observer.output(name, bytes, m.getString("text"));
        view.output(tag, bytes, m.getString("text"));
      }
      case "sent" -> {
        observer.sent(name, m.getString("shown"), m.getBoolean("echo"));
        view.sent(tag, m.getString("shown"), m.getBoolean("echo"));
      }
      case "matched" -> {
        observer.matched(name, m.getInteger("step"), m.getString("branch"), m.getString("text"),
            m.getLong("offset"));
        view.matched(tag, m.getInteger("step"), m.getString("branch"), m.getString("text"),
            m.getLong("offset"));
      }
      case "ended" -> {
        observer.outputEnded(name);
        view.outputEnded(tag);
      }
      default -> {
      }
    }
  }

  private void onResult(JsonObject m) {
    if (!current(m)) {
      return;
    }
    String id = m.getString("id");
    if (m.getBoolean("abandoned", false) && !stopped) {
      Assignment a = inFlight.remove(id);
      lost.computeIfAbsent(id, k -> new ArrayList<>()).add(a.worker());
      queue.addFirst(jobs.get(id));
      serveParked();
      return;
    }
    inFlight.remove(id);
    Job job = jobs.get(id);
    RunResult r = Wire.result(m.getJsonObject("result"), job.file(), null);
    List<String> lostOn = lost.get(id);
    if (lostOn != null) {
      // The report says the run was retried, and where it was lost.
      String mark = "promptly: retried on " + m.getString("worker") + " after worker "
          + String.join(", ", lostOn) + " was lost\n";
      observer.output(job.name(), mark.getBytes(java.nio.charset.StandardCharsets.UTF_8), mark);
      if (!r.passed()) {
        r = Wire.result(m.getJsonObject("result"), job.file(),
            r.failure() + " (retried after worker " + String.join(", ", lostOn) + " was lost)");
      }
    }
    done.put(id, r);
    ranOn.put(id, m.getString("worker"));
    observer.finished(r);
    view.finished(Wire.result(m.getJsonObject("result").copy().put("name", tagged(job, m)),
        job.file(), null));
    checkDone();
  }

  /** Where each run that finished ran, by run name: worker, attempts, workers lost. */
  public Map<String, JsonReport.Placement> placements() {
    Map<String, JsonReport.Placement> out = new LinkedHashMap<>();
    done.keySet().forEach(id -> out.put(jobs.get(id).name(), new JsonReport.Placement(
        ranOn.get(id), attempts.getOrDefault(id, 0), lost.getOrDefault(id, List.of()))));
    return out;
  }

  /** The runs retried, with the workers they were lost on (run name to worker names). */
  public Map<String, List<String>> retried() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    lost.forEach((id, w) -> out.put(jobs.get(id).name(), List.copyOf(w)));
    return out;
  }

  private void onMemberLost(String uuid) {
    String worker = workers.remove(uuid);
    if (worker == null) {
      return;
    }
    List<String> ids = new ArrayList<>();
    inFlight.forEach((id, a) -> {
      if (a.member().equals(uuid)) {
        ids.add(id);
      }
    });
    ids.sort(java.util.Comparator.comparingInt(Integer::parseInt));
    for (int i = ids.size() - 1; i >= 0; i--) {
      String id = ids.get(i);
      inFlight.remove(id);
      lost.computeIfAbsent(id, k -> new ArrayList<>()).add(worker);
      if (!stopped) {
        queue.addFirst(jobs.get(id));
      }
    }
    workerCount.accept(workers.size());
    err.println("promptly: worker " + worker + " lost; " + ids.size() + " run(s) re-queued ("
        + workers.size() + " worker" + (workers.size() == 1 ? "" : "s") + " left)");
    err.flush();
    serveParked();
    armNoWorker();
    finishIfIdle();
  }

  private void checkDone() {
    if (done.size() == jobs.size()) {
      finish();
    }
  }

  private void finishIfIdle() {
    if (stopped && inFlight.isEmpty()) {
      finish();
    } else {
      checkDone();
    }
  }

  private Message<JsonObject> counted(Message<JsonObject> msg) {
    if (STATS) {
      messagesIn++;
      bytesIn += msg.body().toBuffer().length();
    }
    return msg;
  }

  private void finish() {
    if (STATS && !finished.future().isComplete()) {
      err.println("promptly: cluster traffic at the coordinator: in " + messagesIn
          + " messages, " + bytesIn + " bytes; out " + messagesOut + " replies, " + bytesOut
          + " bytes (JSON bodies) for " + done.size() + " run(s)");
      err.flush();
    }
    for (Message<JsonObject> m : parked) {
      m.reply(new JsonObject().put("runs", new JsonArray()));
    }
    parked.clear();
    List<RunResult> results = new ArrayList<>();
    for (String id : jobs.keySet()) {
      RunResult r = done.get(id);
      if (r != null) {
        results.add(r);
      }
    }
    finished.tryComplete(results);
  }

  /**
   * Stops every run on every worker (they are sent SIGTERM, then SIGKILL after the grace
   * period); runs not yet handed out are never started. Safe from any thread.
   */
  public void stop(String why) {
    member.vertx().runOnContext(v -> {
      stopped = true;
      stopWhy = why;
      queue.clear();
      member.vertx().eventBus().publish(Wire.STOP, new JsonObject().put("why", why));
      finishIfIdle();
      // Results of stopped runs come back within the grace period; do not wait forever.
      member.vertx().setTimer(30_000, t -> finish());
    });
  }

  /** Leaves the cluster. */
  @Override
  public void close() {
    member.close();
  }
}
