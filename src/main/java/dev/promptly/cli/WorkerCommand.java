package dev.promptly.cli;

import dev.promptly.cluster.Worker;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code promptly worker --join HOST:PORT,... [--jobs N] [--name NAME]}. */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Join a cluster and run what a coordinator (promptly run --cluster) sends, "
        + "each run as promptly run would run it. Runs until SIGINT/SIGTERM.")
final class WorkerCommand implements Callable<Integer> {
  @Mixin
  ClusterOptions cluster = new ClusterOptions();

  @Option(names = {"-j", "--jobs"}, paramLabel = "N",
      description = "at most N runs at once (default: number of processors)")
  int jobs = Runtime.getRuntime().availableProcessors();

  @Option(names = "--name", paramLabel = "NAME",
      description = "this worker's name in output and reports (default: HOST name and pid)")
  String name;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (name == null) {
      name = java.net.InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
    }
    Worker worker;
    try {
      worker = Worker.start(cluster.config(), name, Math.max(1, jobs), err)
          .toCompletionStage().toCompletableFuture().join();
    } catch (IllegalArgumentException e) {
      err.println("promptly: " + e.getMessage());
      return PromptlyCommand.BAD_INPUT;
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println("promptly: " + (cause instanceof IllegalArgumentException ? ""
          : "cannot join the cluster: ") + cause.getMessage());
      return cause instanceof IllegalArgumentException ? PromptlyCommand.BAD_INPUT
          : PromptlyCommand.FAILED;
    }
    err.println("promptly: worker " + name + " joined, " + jobs + " job(s)");
    err.flush();
    java.util.concurrent.atomic.AtomicInteger signal = new java.util.concurrent.atomic.AtomicInteger();
    Interrupts.install(sig -> {
      if (signal.compareAndSet(0, sig)) {
        new Thread(worker::close, "promptly-worker-stop").start();
      }
    });
    try {
      worker.closed().toCompletionStage().toCompletableFuture().join();
    } catch (java.util.concurrent.CompletionException e) {
      // Refused by the cluster: say why; running on would only wait forever.
      err.println("promptly: worker " + name + " stops: " + e.getCause().getMessage());
      err.flush();
      return PromptlyCommand.BAD_INPUT;
    }
    return 128 + signal.get();
  }
}
