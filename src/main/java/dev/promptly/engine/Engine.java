package dev.promptly.engine;

import dev.promptly.api.RunOptions;
import dev.promptly.dsl.Dialogue;
import dev.promptly.dsl.Problem;
import dev.promptly.dsl.inventory.Inventory;
import dev.promptly.process.EpollLoops;
import dev.promptly.process.Launcher;
import dev.promptly.process.NativeLauncher;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What runs whole dialogues on a Vert.x instance, with observers: the CLI and the public
 * {@code api.Promptly} share it, so the observer and report types stay out of the public face.
 */
public final class Engine implements AutoCloseable {
  private final Vertx vertx;
  private final boolean ownsVertx;
  private final Launcher launcher = NativeLauncher.instance();
  /** Runs in progress, and what completes when each ends. */
  private final Map<Supervisor, Future<?>> supervisors = new ConcurrentHashMap<>();

  private Engine(Vertx vertx, boolean ownsVertx) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
  }

  /** An engine on a Vert.x instance of its own (one event loop per processor). */
  public static Engine create() {
    return new Engine(newVertx(), true);
  }

  /** An engine on {@code vertx}, which {@link #close()} leaves open. */
  public static Engine create(Vertx vertx) {
    return new Engine(vertx, false);
  }

  /**
   * Starts loading what {@link #create()} and the first spawn need (native bindings, Netty's
   * epoll) on a thread of its own, so the caller can read its dialogue files meanwhile.
   */
  public static void prepareInBackground() {
    NativeLauncher.prepareInBackground();
  }

  /** The Vert.x instance promptly makes when it owns one. */
  public static Vertx newVertx() {
    // Netty's epoll where it loads (Linux x86_64): each child's fds are then watched by its own
    // event loop, not handed over from promptly's shared I/O thread.
    return build(ownOptions());
  }

  private static VertxOptions ownOptions() {
    return new VertxOptions()
        .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
        .setWorkerPoolSize(2)
        .setInternalBlockingPoolSize(2);
  }

  /**
   * The same, with daemon threads: for an instance shared by a whole JVM and never closed (the
   * blocking facade's), which must not keep the JVM from ending.
   */
  public static Vertx newDaemonVertx() {
    return build(ownOptions().setUseDaemonThread(true));
  }

  private static Vertx build(VertxOptions options) {
    VertxBuilder builder = Vertx.builder().with(options);
    Transport epoll = EpollLoops.transport();
    if (epoll != null) {
      builder.withTransport(epoll);
    }
    return builder.build();
  }

  public Vertx vertx() {
    return vertx;
  }

  public boolean ownsVertx() {
    return ownsVertx;
  }

  public Launcher launcher() {
    return launcher;
  }

  /** Every run of {@code dialogues}, at most {@code settings.jobs()} at once. */
  public Future<List<RunResult>> run(List<Dialogue> dialogues, RunSettings settings,
                                     RunObserver observer) {
    return run(dialogues, settings, null, null, observer);
  }

  /** As {@link #run(List, RunSettings, RunObserver)}, {@code hosts:} chosen from an inventory. */
  public Future<List<RunResult>> run(List<Dialogue> dialogues, RunSettings settings,
                                     Inventory inventory, String limit, RunObserver observer) {
    List<RunPlan> plans = plans(dialogues, settings.vars(), inventory, limit);
    return supervised(settings, observer, s -> s.runAll(plans));
  }

  /** The runs of these dialogues: matrices expanded, and inventory hosts for {@code hosts:}. */
  public static List<RunPlan> plans(List<Dialogue> dialogues, Map<String, String> vars,
                                    Inventory inventory, String limit) {
    return RunPlan.expandAll(dialogues, vars, inventory, limit, new ArrayList<>());
  }

  /**
   * What is wrong with the {@code hosts:} of these dialogues: no inventory, a pattern or
   * {@code --limit} that names nothing. Each problem has FILE:LINE:COLUMN.
   */
  public static List<Problem> hostProblems(List<Dialogue> dialogues, Map<String, String> vars,
                                           Inventory inventory, String limit) {
    List<Problem> problems = new ArrayList<>();
    RunPlan.expandAll(dialogues, vars, inventory, limit, problems);
    return List.copyOf(new LinkedHashSet<>(problems));
  }

  /** The one run of {@code dialogue} named {@code runName}. */
  public Future<RunResult> run(Dialogue dialogue, String runName, RunSettings settings,
                               Inventory inventory, String limit, RunObserver observer) {
    RunPlan plan = plans(List.of(dialogue), settings.vars(), inventory, limit).stream()
        .filter(p -> p.name().equals(runName))
        .findFirst().orElseThrow(() -> new IllegalArgumentException("dialogue '"
            + dialogue.name() + "' makes no run named '" + runName + "'"));
    return supervised(settings, observer, s -> s.runAll(List.of(plan))).map(list -> list.get(0));
  }

  /** Runs {@code work} under a new supervisor, known to stopAll, killAll and closeAsync. */
  private <T> Future<T> supervised(RunSettings settings, RunObserver observer,
                                   java.util.function.Function<Supervisor, Future<T>> work) {
    Supervisor supervisor = new Supervisor(vertx, settings, observer, launcher);
    io.vertx.core.Promise<T> done = io.vertx.core.Promise.promise();
    supervisors.put(supervisor, done.future());
    done.future().onComplete(ar -> supervisors.remove(supervisor));
    work.apply(supervisor).onComplete(done);
    return done.future();
  }

  /**
   * How many runs {@link #run} makes of these dialogues (matrices expanded; a variable that
   * names a matrix key leaves one value for that key).
   */
  public static int countRuns(List<Dialogue> dialogues, Map<String, String> vars,
                              Inventory inventory, String limit) {
    return plans(dialogues, vars, inventory, limit).size();
  }

  /** The names of the runs a dialogue makes with these variables, in order. */
  public static List<String> runNames(Dialogue dialogue, Map<String, String> vars,
                                      Inventory inventory, String limit) {
    return plans(List.of(dialogue), vars, inventory, limit).stream().map(RunPlan::name)
        .toList();
  }

  /** The settings for the options a caller (CLI, cluster worker, test) set. */
  public static RunSettings settings(RunOptions o) {
    return new RunSettings(o.getJobs(), o.getTimeout(), o.getGrace(), o.getVars(), o.getWindow(),
        o.isFailFast());
  }

  /** Every run of {@code dialogues} under these options (inventory and limit included). */
  public Future<List<RunResult>> run(List<Dialogue> dialogues, RunOptions options,
                                     RunObserver observer) {
    return run(dialogues, settings(options), options.getInventory(), options.getLimit(),
        observer);
  }

  /** The one run of {@code dialogue} named {@code runName} under these options. */
  public Future<RunResult> run(Dialogue dialogue, String runName, RunOptions options,
                               RunObserver observer) {
    return run(dialogue, runName, settings(options), options.getInventory(), options.getLimit(),
        observer);
  }

  /** The names of the runs a dialogue makes under these options, in order. */
  public static List<String> runNames(Dialogue dialogue, RunOptions options) {
    return runNames(dialogue, options.getVars(), options.getInventory(), options.getLimit());
  }

  /** As {@link #stopAll}, without the grace period: SIGKILL now (a second ^C). */
  public void killAll() {
    for (Supervisor s : supervisors.keySet()) {
      s.kill();
    }
  }

  /** Stops every run in progress; safe from any thread, a signal handler's included. */
  public void stopAll(String why) {
    for (Supervisor s : supervisors.keySet()) {
      s.stop(why);
    }
  }

  /** Closes the Vert.x instance if this engine created it, waiting until it is closed. */
  @Override
  public void close() {
    if (ownsVertx) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /**
   * Stops every run (their children terminated and reaped, the runs failing with {@code why}),
   * then closes the Vert.x instance if this engine created it. From any thread, an event loop's
   * included: nothing here blocks.
   */
  public Future<Void> closeAsync(String why) {
    List<Future<?>> runs = new ArrayList<>();
    for (Map.Entry<Supervisor, Future<?>> e : supervisors.entrySet()) {
      e.getKey().stop(why);
      runs.add(e.getValue());
    }
    Future<Void> stopped = Future.join(runs).<Void>mapEmpty().otherwiseEmpty();
    return ownsVertx ? stopped.compose(v -> vertx.close()) : stopped;
  }
}
