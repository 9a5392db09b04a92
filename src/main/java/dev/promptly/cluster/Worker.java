package dev.promptly.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.LifecycleEvent;
import dev.promptly.engine.Engine;
import dev.promptly.api.RunOptions;
import dev.promptly.dsl.Dialogue;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.process.Scratch;
import dev.promptly.report.RunInfo;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@code promptly worker}: joins the cluster, asks the coordinator for runs while it has free
 * capacity, and plays each one through the same engine as {@code promptly run}. Everything the
 * run does (start, output, sends, matches) is streamed back to the coordinator, which writes the
 * reports and transcripts; the worker keeps nothing but a scratch folder per run, removed after.
 */
public final class Worker implements AutoCloseable {
  private final ClusterConfig.Member member;
  private final Engine engine;
  private final String name;
  private final int jobs;
  private final PrintWriter err;
  private final AtomicInteger running = new AtomicInteger();
  private final Promise<Void> closed = Promise.promise();
  private boolean asking;
  private boolean tls;
  private boolean verified;
  private boolean hinted;
  private volatile String coordinator;
  private volatile String assignedAs;
  private volatile boolean stopping;
  private volatile String refusal;
  private Path scratch;

  /**
   * The folder of this worker's runs: {@code $TMPDIR/promptly-worker-PID-*}. A worker killed
   * outright cannot remove it; the next worker started by the same user removes the folders of
   * workers whose process is gone.
   */
  private Path scratch() throws IOException {
    if (scratch == null) {
      scratch = Files.createTempDirectory("promptly-worker-" + ProcessHandle.current().pid() + "-");
    }
    return scratch;
  }

  /** Removes the scratch folders that workers no longer running left in $TMPDIR. */
  static void removeLeftovers() {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    java.util.regex.Pattern mine = java.util.regex.Pattern.compile("promptly-worker-(\\d+)-.*");
    try (Stream<Path> s = Files.list(tmp)) {
      s.forEach(p -> {
        java.util.regex.Matcher m = mine.matcher(p.getFileName().toString());
        try {
          if (m.matches() && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
              && Files.getOwner(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName()
                  .equals(System.getProperty("user.name"))
              && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
            Scratch.delete(p);
          }
        } catch (IOException | RuntimeException e) {
          // Someone else's, or gone already.
        }
      });
    } catch (IOException e) {
      // No $TMPDIR to tidy.
    }
  }

  private Worker(ClusterConfig.Member member, Engine engine, String name, int jobs,
                 PrintWriter err) {
    this.member = member;
    this.engine = engine;
    this.name = name;
    this.jobs = jobs;
    this.err = err;
  }

  /**
   * Joins the cluster and starts asking for runs. A worker whose join was refused (another
   * cluster name or key) or whose certificate the coordinator's event bus refuses (or the other
   * way round) closes, and {@link #closed} fails saying why.
   */
  public static Future<Worker> start(ClusterConfig config, String name, int jobs,
                                     PrintWriter err) {
    Set<String> refusedBy = ConcurrentHashMap.newKeySet();
    AtomicReference<Worker> started = new AtomicReference<>();
    HazelcastLog.onMismatch(address -> {
      refusedBy.add(address);
      Worker w = started.get();
      if (w != null) {
        w.member.vertx().runOnContext(v -> w.checkRefused(refusedBy));
      }
    }, address -> { });
    removeLeftovers();
    // The engine's own Vert.x is made here, on the caller's thread: made where start() completes,
    // on the cluster's event loop, Vert.x warned "You're already on a Vert.x context" at every
    // worker start.
    Engine engine = Engine.create();
    Future<ClusterConfig.Member> joined = config.start()
        .onFailure(e -> engine.closeAsync(String.valueOf(e.getMessage())));
    return joined.map(m -> {
      Worker w = new Worker(m, engine, name, jobs, err);
      w.tls = config.tls() != null;
      started.set(w);
      m.vertx().eventBus().<JsonObject>consumer(Wire.STOP, msg ->
          w.engine.stopAll(msg.body().getString("why", "stopped by the coordinator")));
      w.watchCoordinator();
      m.vertx().runOnContext(v -> {
        w.checkRefused(refusedBy);
        w.ask();
      });
      return w;
    });
  }

  // The coordinator gives a lost worker's runs to others: a worker cut off from it (it was
  // SIGSTOPped, or the network parted) must not play them on, nor leave their children behind.
  private void watchCoordinator() {
    var hz = member.manager().getHazelcastInstance();
    hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        if (e.getMember().getUuid().toString().equals(coordinator)) {
          engine.stopAll("stopped: worker " + name + " lost the coordinator");
        }
      }
    });
    // Events can be missed while this JVM was stopped: look every second too. A member that was
    // removed and merged back comes back under a new member UUID.
    member.vertx().setPeriodic(1000, t -> {
      String c = coordinator;
      if (c == null || running.get() == 0) {
        return;
      }
      boolean there = hz.getCluster().getMembers().stream()
          .anyMatch(x -> x.getUuid().toString().equals(c));
      if (!there || !member.uuid().equals(assignedAs)) {
        coordinator = null;
        engine.stopAll("stopped: worker " + name + " was cut off from the coordinator");
      }
    });
    hz.getLifecycleService().addLifecycleListener(e -> {
      if (e.getState() == LifecycleEvent.LifecycleState.MERGING) {
        engine.stopAll("stopped: worker " + name + " was cut off from the cluster");
      }
    });
  }

  /** Completes when the worker is closed; fails when it was refused by the cluster. */
  public Future<Void> closed() {
    return closed.future();
  }

  // A member that another refused (cluster name mismatch) forms a cluster of its own and would
  // wait there forever: when this worker is alone, a refusal is final.
  private void checkRefused(Set<String> refusedBy) {
    if (!refusedBy.isEmpty() && member.alone()) {
      refuse("refused by the cluster at " + String.join(", ", refusedBy) + ": it has another "
          + "cluster name or key (--cluster-name, --cluster-key or PROMPTLY_CLUSTER_KEY must be "
          + "the same on every member)");
    }
  }

  private void refuse(String why) {
    if (stopping) {
      return;
    }
    stopping = true;
    refusal = why;
    new Thread(this::close, "promptly-worker-refused").start();
  }

  private void ask() {
    int free = jobs - running.get();
    if (stopping || asking || free <= 0) {
      return;
    }
    asking = true;
    if (tls && !verified) {
      verifyCoordinator().onComplete(ar -> {
        asking = false;
        if (ar.failed()) {
          refuse(ar.cause().getMessage());
        } else {
          verified = ar.result();
          request(free);
        }
      });
      return;
    }
    request(free);
  }

  /**
   * Shakes hands with the event bus of every member that serves asks (the coordinator): true when
   * there was one and every handshake passed, false when there is none yet.
   */
  private Future<Boolean> verifyCoordinator() {
    Promise<List<RegistrationInfo>> regs = Promise.promise();
    member.manager().getRegistrations(Wire.ASK, regs);
    return regs.future().compose(list -> {
      List<Future<Void>> probes = new ArrayList<>();
      for (RegistrationInfo r : list) {
        Promise<NodeInfo> info = Promise.promise();
        member.manager().getNodeInfo(r.nodeId(), info);
        probes.add(info.future().compose(n ->
            Tls.probe(member.vertx(), member.bus(), n.host(), n.port())));
      }
      return Future.all(probes).map(x -> !list.isEmpty());
    });
  }

  private void request(int free) {
    asking = true;
    JsonObject q = new JsonObject().put("worker", name).put("member", member.uuid())
        .put("free", free);
    member.vertx().eventBus().<JsonObject>request(Wire.ASK, q,
        new DeliveryOptions().setSendTimeout(15_000)).onComplete(ar -> {
          asking = false;
          if (ar.failed()) {
            // No coordinator yet (or it is gone): ask again shortly.
            boolean none = ar.cause() instanceof ReplyException re
                && re.failureType() == ReplyFailure.NO_HANDLERS;
            if (!none) {
              // Silence from a coordinator that is there: shake hands again to learn why.
              verified = false;
              if (!tls && !hinted) {
                hinted = true;
                err.println("promptly: no answer from the coordinator within 15s (if the "
                    + "cluster uses --cluster-tls, this worker needs it too)");
                err.flush();
              }
            }
            member.vertx().setTimer(none ? 500 : 100, t -> ask());
            return;
          }
          JsonArray runs = ar.result().body().getJsonArray("runs", new JsonArray());
          if (!runs.isEmpty()) {
            coordinator = ar.result().body().getString("coordinator");
            assignedAs = member.uuid();
          }
          for (Object o : runs) {
            startRun((JsonObject) o);
          }
          if (runs.isEmpty()) {
            member.vertx().setTimer(50, t -> ask());
          } else {
            ask();
          }
        });
  }

  private void startRun(JsonObject job) {
    running.incrementAndGet();
    String id = job.getString("id");
    String runName = job.getString("name");
    Path dir = null;
    Future<RunResult> run;
    try {
      dir = Files.createTempDirectory(scratch(), "run-");
      Path file = dir.resolve(job.getString("fileName"));
      Files.writeString(file, job.getString("content"));
      Map<String, String> vars = job.getJsonObject("vars").getMap().entrySet().stream()
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
              e -> String.valueOf(e.getValue())));
      RunOptions options = new RunOptions()
          .setTimeout(Duration.ofMillis(job.getLong("timeout")))
          .setGrace(Duration.ofMillis(job.getLong("grace")));
      vars.forEach(options::putVar);
      LoadResult loaded = DialogueLoader.load(file, vars);
      Dialogue dialogue = loaded.dialogues().stream()
          .filter(d -> Engine.runNames(d, options).contains(runName)).findFirst().orElse(null);
      if (!loaded.problems().isEmpty() || dialogue == null) {
        throw new IOException("the dialogue does not load on worker " + name + ": "
            + loaded.problems());
      }
      run = engine.run(dialogue, runName, options, forward(id, job.getInteger("attempt")));
    } catch (IOException | RuntimeException e) {
      run = Future.succeededFuture(new RunResult(runName, Path.of(job.getString("fileName")),
          false, "cannot start on worker " + name + ": " + e.getMessage(), null, null,
          java.time.Instant.now(), Duration.ZERO, java.util.List.of(), 0, 0));
    }
    Path scratch = dir;
    run.onComplete(ar -> {
      RunResult r = ar.succeeded() ? ar.result() : new RunResult(runName,
          Path.of(job.getString("fileName")), false, "worker " + name + ": " + ar.cause(), null,
          null, java.time.Instant.now(), Duration.ZERO, java.util.List.of(), 0, 0);
      member.vertx().eventBus().send(Wire.RESULT, new JsonObject().put("id", id)
          .put("attempt", job.getInteger("attempt")).put("worker", name)
          // Stopped because this worker is leaving, not because the run ended: run it elsewhere.
          .put("abandoned", stopping)
          .put("result", Wire.result(r)));
      Scratch.delete(scratch);
      running.decrementAndGet();
      member.vertx().runOnContext(v -> ask());
    });
  }

  private RunObserver forward(String id, int attempt) {
    return new RunObserver() {
      private void send(JsonObject e) {
        member.vertx().eventBus().send(Wire.EVENT, e.put("id", id).put("attempt", attempt)
            .put("worker", name));
      }

      @Override
      public void started(RunInfo run) {
        send(new JsonObject().put("t", "started").put("info", Wire.info(run)));
      }

      @Override
      public void output(String run, byte[] bytes, String text) {
        send(new JsonObject().put("t", "out").put("bytes", bytes).put("text", text));
      }

      @Override
      public void sent(String run, String shown, boolean echoedByTerminal) {
        send(new JsonObject().put("t", "sent").put("shown", shown).put("echo", echoedByTerminal));
      }

      @Override
      public void matched(String run, int step, String branch, String text, long byteOffset) {
        send(new JsonObject().put("t", "matched").put("step", step).put("branch", branch)
            .put("text", text).put("offset", byteOffset));
      }

      @Override
      public void outputEnded(String run) {
        send(new JsonObject().put("t", "ended"));
      }
    };
  }

  /** Stops asking, stops every run (SIGTERM, then SIGKILL), leaves the cluster. */
  public void stop(String why) {
    stopping = true;
    engine.stopAll(why);
  }

  /** Stops, leaves the cluster and closes the engine. */
  @Override
  public void close() {
    stop("the worker is shutting down");
    member.close();
    engine.close();
    Scratch.delete(scratch);
    if (refusal != null) {
      closed.tryFail(refusal);
    } else {
      closed.tryComplete();
    }
  }
}
