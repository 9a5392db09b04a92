package dev.promptly.api;

import dev.promptly.dsl.Dialogue;
import dev.promptly.engine.RunPlan;
import dev.promptly.engine.Supervisor;
import dev.promptly.process.Launcher;
import dev.promptly.process.NativeLauncher;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;

/**
 * The engine: runs dialogues (from YAML or built in Java) against real children. Create one on
 * your own {@link Vertx}, or let it own one; {@link #close()} closes only what it created.
 */
public final class Promptly implements AutoCloseable {
  private final Vertx vertx;
  private final boolean ownsVertx;
  private final Launcher launcher;
  private final java.util.Set<Supervisor> supervisors =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Promptly(Vertx vertx, boolean ownsVertx) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.launcher = NativeLauncher.instance();
  }

  /** An engine on its own Vert.x instance (one event loop per processor). */
  public static Promptly create() {
    return new Promptly(Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
        .setWorkerPoolSize(2)
        .setInternalBlockingPoolSize(2)), true);
  }

  /** An engine on the given Vert.x instance; closing the engine leaves it open. */
  public static Promptly create(Vertx vertx) {
    return new Promptly(vertx, false);
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Runs every dialogue (one run per matrix combination), at most {@code options.getJobs()}
   * children at once. The future completes with one result per run, in order, when all ended.
   */
  public Future<List<RunResult>> run(List<Dialogue> dialogues, RunOptions options,
                                     RunObserver observer) {
    Supervisor supervisor = new Supervisor(vertx, options.toSettings(), observer, launcher);
    supervisors.add(supervisor);
    return supervisor.runAll(RunPlan.expandAll(dialogues))
        .andThen(ar -> supervisors.remove(supervisor));
  }

  /** How many runs {@link #run} makes of these dialogues (matrices expanded). */
  public static int countRuns(List<Dialogue> dialogues) {
    return RunPlan.expandAll(dialogues).size();
  }

  /**
   * Stops every run in progress: no new run starts, running children are terminated (SIGTERM,
   * then SIGKILL after the grace period) and reaped, and their runs fail with {@code why}. The
   * futures returned by {@link #run} then complete with the runs that started. Safe from any
   * thread, including a signal handler's.
   */
  public void stopAll(String why) {
    for (Supervisor s : supervisors) {
      s.stop(why);
    }
  }

  /** Closes the Vert.x instance if this engine created it. */
  @Override
  public void close() {
    if (ownsVertx) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}
