package dev.promptly.api;

import dev.promptly.engine.Engine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Objects;

/**
 * The engine: starts children and runs dialogues (loaded with {@link Dialogue#load} or built
 * with {@link DialogueBuilder}) against them. Create one on your own {@link Vertx}, or let it own
 * one; {@link #close()} ends every child it started and closes only the Vert.x it created.
 *
 * <p>A child never outlives its owner: {@link #close()}, the close of the Vert.x instance, the
 * undeployment of the verticle that spawned it (a session lives on the context it was spawned
 * from) and the JVM's exit each end its process group. Only a SIGKILL of the JVM itself cannot be
 * followed (a child on a pseudo-terminal then still gets SIGHUP).
 *
 * <ul>
 *   <li>{@link #spawn(ChildOptions)}: one child, driven step by step through an asynchronous
 *       {@link Session};</li>
 *   <li>{@link #run(List, RunOptions)}: whole dialogues, many at once under a bound, as
 *       {@code promptly run} does;</li>
 *   <li>{@link #blocking()}: the same for scripts and tests that do not use Vert.x.</li>
 * </ul>
 */
public final class Promptly {
  private final Engine engine;
  /** Sessions spawned and not yet ended: close() ends them. */
  private final java.util.Set<Session> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private Promptly(Engine engine) {
    this.engine = engine;
  }

  /**
   * An engine on its own Vert.x instance (one event loop per processor).
   *
   * @return the engine; close it when done
   */
  public static Promptly create() {
    return new Promptly(Engine.create());
  }

  /**
   * An engine on the given Vert.x instance; closing the engine leaves it open.
   *
   * @param vertx the Vert.x instance children and sessions live on
   * @return the engine
   */
  public static Promptly create(Vertx vertx) {
    return new Promptly(Engine.create(Objects.requireNonNull(vertx, "vertx")));
  }

  /**
   * The blocking facade on a Vert.x instance shared by every blocking session of the JVM, made
   * with the first one, whose threads are daemons (a program that forgets to close a session
   * still ends, and its children with it). No Vert.x knowledge needed:
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
    return engine.vertx();
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
    if (closed) {
      return Future.failedFuture(new IllegalStateException("this Promptly is closed"));
    }
    return Session.spawn(engine.vertx(), engine.launcher(), options).onSuccess(s -> {
      sessions.add(s);
      s.exit().onComplete(ar -> sessions.remove(s));
    });
  }

  /**
   * The Vert.x transport promptly runs its own instances on (Netty's epoll with short polling
   * after a child's activity: each child is then read by its own event loop), for an
   * application that builds its Vert.x itself: {@code Vertx.builder().withTransport(t)}. Null
   * where epoll cannot be used; Vert.x's default transport then serves, a little slower.
   *
   * @return the transport, or null
   */
  public static io.vertx.core.transport.Transport transport() {
    return dev.promptly.process.EpollLoops.transport();
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
   * @param dialogues dialogues loaded with {@link Dialogue#load} or built with
   *     {@link DialogueBuilder}
   * @param options concurrency, default timeout, variables
   * @return one result per run, in order, once all have ended
   */
  public Future<List<RunResult>> run(List<Dialogue> dialogues, RunOptions options) {
    return engine.run(models(dialogues), options.toSettings(), options.getInventory(),
        options.getLimit(), dev.promptly.report.RunObserver.NONE).map(list -> list.stream().map(RunResult::of)
        .toList());
  }

  /**
   * How many runs {@link #run} makes of these dialogues (matrices expanded).
   *
   * @param dialogues dialogues as loaded or built
   * @return the number of runs
   */
  public static int countRuns(List<Dialogue> dialogues) {
    return Engine.countRuns(models(dialogues), java.util.Map.of(), null, null);
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
    return Engine.countRuns(models(dialogues), options.getVars(), options.getInventory(),
        options.getLimit());
  }

  /**
   * As {@link #stopAll}, without the grace period: every running child's session is sent
   * SIGKILL now (what a second ^C does). Safe from any thread.
   */
  public void killAll() {
    engine.killAll();
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
    engine.stopAll(why);
  }

  /**
   * Makes one run of a dialogue: the one named {@code runName}, one of {@link #runNames}. A
   * test framework uses it to report each combination of a matrix as a test of its own.
   *
   * @param dialogue the dialogue
   * @param runName the run's name, as {@link #runNames} gives it
   * @param options default timeout, variables
   * @return the run's result once it has ended
   * @throws IllegalArgumentException if the dialogue makes no run of that name
   */
  public Future<RunResult> run(Dialogue dialogue, String runName, RunOptions options) {
    return engine.run(dialogue.model(), runName, options.toSettings(), options.getInventory(),
        options.getLimit(), dev.promptly.report.RunObserver.NONE).map(RunResult::of);
  }

  /**
   * The names of the runs a dialogue makes: its name, or one {@code name[key=value,...]} per
   * combination of its matrix, in the order {@link #run} makes them.
   *
   * @param dialogue the dialogue
   * @return the run names
   */
  public static List<String> runNames(Dialogue dialogue) {
    return Engine.runNames(dialogue.model(), java.util.Map.of(), null, null);
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
    return Engine.runNames(dialogue.model(), options.getVars(), options.getInventory(),
        options.getLimit());
  }

  private static List<dev.promptly.dsl.Dialogue> models(List<Dialogue> dialogues) {
    return dialogues.stream().map(Dialogue::model).toList();
  }


  /**
   * Ends everything this engine started: runs in progress are stopped (they fail with "the
   * Promptly instance was closed"), every session's child is terminated (SIGTERM, SIGKILL after
   * its grace period) and reaped; then the Vert.x instance is closed if this engine created it.
   * From any thread, its own event loops included (nothing blocks); further spawns fail.
   *
   * @return completes when all of it is done
   */
  public Future<Void> close() {
    closed = true;
    List<Future<Exit>> ends = new java.util.ArrayList<>();
    for (Session s : sessions) {
      ends.add(s.close());
    }
    return Future.join(ends).<Void>mapEmpty().otherwiseEmpty()
        .compose(v -> engine.closeAsync("the Promptly instance was closed"));
  }
}
