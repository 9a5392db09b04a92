package dev.promptly.engine;

import dev.promptly.process.Launcher;
import dev.promptly.process.ssh.SshConnections;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs many plans with at most {@code jobs} children alive at once: the notes' semaphore, on a
 * context of its own. Results come back in the order of the plans.
 */
public final class Supervisor {
  private final Vertx vertx;
  private final RunSettings settings;
  private final RunObserver observer;
  private final Launcher launcher;
  private final Context context;

  public Supervisor(Vertx vertx, RunSettings settings, RunObserver observer, Launcher launcher) {
    this.vertx = vertx;
    this.settings = settings;
    this.observer = observer;
    this.launcher = launcher;
    this.context = vertx.getOrCreateContext();
  }

  private Batch current;

  /**
   * Runs every plan; the future completes when all have ended (or, after {@link #stop}, when the
   * running ones have ended: plans not started then have no result).
   */
  public Future<List<RunResult>> runAll(List<RunPlan> plans) {
    Promise<List<RunResult>> done = Promise.promise();
    // SSH connections live for the whole batch: runs to one host share them (issue 16).
    SshConnections ssh = SshConnections.acquire(vertx);
    done.future().onComplete(ar -> ssh.release());
    context.runOnContext(v -> {
      current = new Batch(plans, done);
      current.pump();
    });
    return done.future();
  }

  /**
   * Starts no new run and stops the running ones: their children are terminated (TERM, then KILL)
   * and reaped, and they fail with {@code why}. Safe from any thread.
   */
  public void stop(String why) {
    context.runOnContext(v -> {
      if (current != null && !current.stopping) {
        current.stop(why);
      }
    });
  }

  /** As {@link #stop}, but the children are killed at once (no grace period). */
  public void kill() {
    context.runOnContext(v -> {
      if (current != null) {
        current.kill();
      }
    });
  }

  private final class Batch {
    final List<RunPlan> plans;
    final RunResult[] results;
    final Promise<List<RunResult>> done;
    final java.util.Map<Integer, DialogueRun> live = new java.util.HashMap<>();
    int next;
    int running;
    int finished;
    boolean stopping;

    Batch(List<RunPlan> plans, Promise<List<RunResult>> done) {
      this.plans = plans;
      this.results = new RunResult[plans.size()];
      this.done = done;
    }

    void pump() {
      while (!stopping && running < settings.jobs() && next < plans.size()) {
        int i = next++;
        running++;
        DialogueRun run = DialogueRun.start(vertx, plans.get(i), settings, observer, launcher);
        live.put(i, run);
        run.result().onComplete(ar -> context.runOnContext(v -> ended(i, ar.result())));
      }
      if (finished == plans.size() || (stopping && running == 0)) {
        List<RunResult> out = new ArrayList<>(Arrays.asList(results));
        out.removeIf(java.util.Objects::isNull);
        done.tryComplete(out);
      }
    }

    void ended(int i, RunResult r) {
      running--;
      finished++;
      results[i] = r;
      live.remove(i);
      if (r != null && !r.passed() && settings.failFast() && !stopping) {
        stop("stopped: another run failed (--fail-fast): " + r.name());
      }
      pump();
    }

    void kill() {
      stopping = true;
      for (DialogueRun run : live.values()) {
        run.kill();
      }
      pump();
    }

    void stop(String why) {
      stopping = true;
      for (DialogueRun run : live.values()) {
        run.stop(why);
      }
      pump();
    }
  }
}
