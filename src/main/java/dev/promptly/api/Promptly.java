package dev.promptly.api;

import dev.promptly.dsl.Dialogue;
import dev.promptly.engine.RunPlan;
import dev.promptly.engine.Supervisor;
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
import java.util.List;
import java.util.Objects;

/**
 * The engine: starts children and runs dialogues (from YAML or built with
 * {@link DialogueBuilder}) against them. Create one on your own {@link Vertx}, or let it own
 * one; {@link #close()} closes only what it created.
 *
 * <ul>
 *   <li>{@link #spawn(ChildOptions)}: one child, driven step by step through an asynchronous
 *       {@link Session};</li>
 *   <li>{@link #run(List, RunOptions, RunObserver)}: whole dialogues, many at once under a
 *       bound, as {@code promptly run} does;</li>
 *   <li>{@link #blocking()}: the same for scripts and tests that do not use Vert.x.</li>
 * </ul>
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

  /**
   * An engine on its own Vert.x instance (one event loop per processor).
   *
   * @return the engine; close it when done
   */
  public static Promptly create() {
    VertxBuilder builder = Vertx.builder().with(new VertxOptions()
        .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
        .setWorkerPoolSize(2)
        .setInternalBlockingPoolSize(2));
    // Netty's epoll where it loads (Linux x86_64): each child's fds are then watched by its own
    // event loop, not handed over from promptly's shared I/O thread.
    Transport epoll = EpollLoops.transport();
    if (epoll != null) {
      builder.withTransport(epoll);
    }
    return new Promptly(builder.build(), true);
  }

  /**
   * An engine on the given Vert.x instance; closing the engine leaves it open.
   *
   * @param vertx the Vert.x instance children and sessions live on
   * @return the engine
   */
  public static Promptly create(Vertx vertx) {
    return new Promptly(Objects.requireNonNull(vertx, "vertx"), false);
  }

  /**
   * The blocking facade on a Vert.x instance of its own, created when a session is spawned and
   * closed with the last one. No Vert.x knowledge needed:
   *
   * <pre>{@code
   * try (BlockingSession s = Promptly.blocking().spawn("python3", "-i")) {
   *   s.expect(">>> ");
   *   s.sendLine("6*7");
   *   s.expect("42");
   * }
   * }</pre>
   *
   * @return a factory of blocking sessions
   */
  public static Expect blocking() {
    return new Expect(null);
  }

  /**
   * The blocking facade on the given Vert.x instance, which it leaves open.
   *
   * @param vertx the Vert.x instance sessions live on
   * @return a factory of blocking sessions
   */
  public static Expect blocking(Vertx vertx) {
    return new Expect(Objects.requireNonNull(vertx, "vertx"));
  }

  /**
   * The Vert.x instance this engine runs on.
   *
   * @return the instance
   */
  public Vertx vertx() {
    return vertx;
  }

  /**
   * Starts a child and returns its session. The session lives on the caller's Vert.x context
   * when called on one of this engine's Vert.x instance (so its futures and events arrive
   * there), else on a new event-loop context.
   *
   * @param options what to start and how
   * @return the session; fails with {@link PromptlyException} when the program cannot be
   *     started (not found, not executable), with the reason
   */
  public Future<Session> spawn(ChildOptions options) {
    return Session.spawn(vertx, launcher, options);
  }

  /**
   * Starts a child over pipes with default options.
   *
   * @param argv the program and its arguments
   * @return the session, as {@link #spawn(ChildOptions)}
   */
  public Future<Session> spawn(String... argv) {
    return spawn(new ChildOptions(argv));
  }

  /**
   * Runs every dialogue (one run per matrix combination), at most {@code options.getJobs()}
   * children at once, through the interpreter {@code promptly run} uses.
   *
   * @param dialogues dialogues loaded from YAML ({@code DialogueLoader}) or built with
   *     {@link DialogueBuilder}
   * @param options concurrency, default timeout, variables
   * @param observer told of every start, output, send and result as they happen
   * @return one result per run, in order, once all have ended
   */
  public Future<List<RunResult>> run(List<Dialogue> dialogues, RunOptions options,
                                     RunObserver observer) {
    Supervisor supervisor = new Supervisor(vertx, options.toSettings(), observer, launcher);
    supervisors.add(supervisor);
    return supervisor.runAll(plans(dialogues, options))
        .andThen(ar -> supervisors.remove(supervisor));
  }

  /**
   * How many runs {@link #run} makes of these dialogues (matrices expanded).
   *
   * @param dialogues dialogues as loaded or built
   * @return the number of runs
   */
  public static int countRuns(List<Dialogue> dialogues) {
    return RunPlan.expandAll(dialogues).size();
  }

  /**
   * How many runs {@link #run} makes of these dialogues with these options: a variable of the
   * options that names a matrix key leaves one value for that key.
   *
   * @param dialogues dialogues as loaded or built
   * @param options the options the runs will be made with
   * @return the number of runs
   */
  public static int countRuns(List<Dialogue> dialogues, RunOptions options) {
    return plans(dialogues, options).size();
  }

  /**
   * Stops every run in progress: no new run starts, running children are terminated (SIGTERM,
   * then SIGKILL after the grace period) and reaped, and their runs fail with {@code why}. The
   * futures returned by {@link #run} then complete with the runs that started. Safe from any
   * thread, including a signal handler's.
   *
   * @param why the failure message of the runs stopped
   */
  public void stopAll(String why) {
    for (Supervisor s : supervisors) {
      s.stop(why);
    }
  }

  /**
   * As {@link #stopAll}, without the grace period: every running child's session is sent
   * SIGKILL now (what a second ^C does). Safe from any thread.
   */
  public void killAll() {
    for (Supervisor s : supervisors) {
      s.kill();
    }
  }

  /**
   * Runs every dialogue with no observer.
   *
   * @param dialogues the dialogues
   * @param options concurrency, default timeout, variables
   * @return one result per run, in order, once all have ended
   */
  public Future<List<RunResult>> run(List<Dialogue> dialogues, RunOptions options) {
    return run(dialogues, options, RunObserver.NONE);
  }

  /**
   * Makes one run of a dialogue: the one named {@code runName}, one of {@link #runNames}. A
   * test framework uses it to report each combination of a matrix as a test of its own.
   *
   * @param dialogue the dialogue
   * @param runName the run's name, as {@link #runNames} gives it
   * @param options default timeout, variables
   * @param observer told of the run as it happens
   * @return the run's result once it has ended
   * @throws IllegalArgumentException if the dialogue makes no run of that name
   */
  public Future<RunResult> run(Dialogue dialogue, String runName, RunOptions options,
                               RunObserver observer) {
    RunPlan plan = plans(List.of(dialogue), options).stream()
        .filter(p -> p.name().equals(runName))
        .findFirst().orElseThrow(() -> new IllegalArgumentException("dialogue '"
            + dialogue.name() + "' makes no run named '" + runName + "'"));
    return new Supervisor(vertx, options.toSettings(), observer, launcher)
        .runAll(List.of(plan)).map(list -> list.get(0));
  }

  /**
   * The names of the runs a dialogue makes: its name, or one {@code name[key=value,...]} per
   * combination of its matrix, in the order {@link #run} makes them.
   *
   * @param dialogue the dialogue
   * @return the run names
   */
  public static List<String> runNames(Dialogue dialogue) {
    return RunPlan.expand(dialogue).stream().map(RunPlan::name).toList();
  }

  /**
   * The names of the runs a dialogue makes with these options (a variable that names a matrix
   * key leaves one run for that key).
   *
   * @param dialogue the dialogue
   * @param options the options the runs will be made with
   * @return the run names, in the order {@link #run} makes them
   */
  public static List<String> runNames(Dialogue dialogue, RunOptions options) {
    return plans(List.of(dialogue), options).stream().map(RunPlan::name).toList();
  }

  /** The runs of these dialogues: matrices expanded, and inventory hosts for {@code hosts:}. */
  private static List<RunPlan> plans(List<Dialogue> dialogues, RunOptions options) {
    return RunPlan.expandAll(dialogues, options.toSettings().vars(), options.getInventory(),
        options.getLimit(), new java.util.ArrayList<>());
  }

  /**
   * What is wrong with the {@code hosts:} of these dialogues under these options: no inventory,
   * a pattern or {@code --limit} that names nothing. Each problem has FILE:LINE:COLUMN.
   *
   * @param dialogues the dialogues
   * @param options their inventory and limit
   * @return the problems, empty when every selection is good
   */
  public static List<dev.promptly.dsl.Problem> hostProblems(List<Dialogue> dialogues,
                                                            RunOptions options) {
    List<dev.promptly.dsl.Problem> problems = new java.util.ArrayList<>();
    RunPlan.expandAll(dialogues, options.toSettings().vars(), options.getInventory(),
        options.getLimit(), problems);
    return List.copyOf(new java.util.LinkedHashSet<>(problems));
  }

  /** Closes the Vert.x instance if this engine created it, waiting until it is closed. */
  @Override
  public void close() {
    if (ownsVertx) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}
