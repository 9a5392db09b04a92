package dev.promptly.cli;

import dev.promptly.api.RunOptions;
import dev.promptly.cluster.ClusterConfig;
import dev.promptly.cluster.Coordinator;
import dev.promptly.dsl.Dialogue;
import dev.promptly.dsl.LoadResult;
import dev.promptly.report.ConsoleView;
import dev.promptly.report.JsonReport;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code promptly run --cluster}: the runs of a local run, played on the cluster's workers. */
final class ClusterRun {
  private ClusterRun() {
  }

  static List<RunResult> run(ClusterOptions options, LoadResult loaded, RunOptions runOptions,
                             RunObserver reports, ConsoleView view, PrintWriter err,
                             AtomicInteger signal, Map<String, JsonReport.Placement> placements) {
    ClusterConfig config = options.config();
    if (!config.loopback() && config.tls() == null
        && carriesSecrets(loaded.dialogues(), runOptions)) {
      throw new IllegalArgumentException("these runs carry secrets and cluster traffic on "
          + config.host() + " would not be encrypted: give --cluster-tls DIR (every member), "
          + "bind to 127.0.0.1, or run them locally");
    }
    Coordinator coordinator;
    try {
      coordinator = Coordinator.start(config, err).toCompletionStage().toCompletableFuture()
          .join();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot join the cluster: " + e.getMessage());
    }
    try {
      err.println("promptly: coordinator on " + config.host() + ":" + coordinator.port()
          + ", waiting for workers");
      err.flush();
      if (RunCommand.consoleChecks) {
        Interrupts.install(sig -> {
          if (signal.compareAndSet(0, sig)) {
            coordinator.stop("interrupted: promptly received "
                + dev.promptly.process.Signals.name(sig));
          }
        });
      }
      view.setWorkers(0);
      coordinator.onWorkers(view::setWorkers).ticking(view::tick);
      List<RunResult> results = coordinator.run(loaded.dialogues(), runOptions, reports, view);
      placements.putAll(coordinator.placements());
      return results;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read a dialogue again: " + e.getMessage());
    } finally {
      coordinator.close();
    }
  }

  /** Whether any run would send a secret: secret variables, or a branch marked secret. */
  private static boolean carriesSecrets(List<Dialogue> dialogues, RunOptions options) {
    for (Dialogue d : dialogues) {
      if (!d.secretVars().isEmpty()) {
        return true;
      }
      try {
        if (Files.readString(d.file()).contains("secret")) {
          return true;
        }
      } catch (IOException e) {
        return true;
      }
    }
    return false;
  }
}
