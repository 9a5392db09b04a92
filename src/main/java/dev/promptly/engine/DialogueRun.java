package dev.promptly.engine;

import dev.promptly.api.ExpectFailure;
import dev.promptly.dsl.Branch;
import dev.promptly.dsl.Condition;
import dev.promptly.dsl.Dialogue;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.Step;
import dev.promptly.dsl.Vars;
import dev.promptly.match.MatchResult;
import dev.promptly.match.PatternSpec;
import dev.promptly.process.ExitStatus;
import dev.promptly.process.Launcher;
import dev.promptly.process.SpawnException;
import dev.promptly.process.Signals;
import dev.promptly.process.SpawnOptions;
import dev.promptly.process.ssh.SshChild;
import dev.promptly.process.ssh.SshConnections;
import dev.promptly.process.ssh.SshTarget;
import dev.promptly.report.RunInfo;
import dev.promptly.report.RunObserver;
import dev.promptly.report.RunResult;
import dev.promptly.report.StepResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Plays one dialogue against one child: the interpreter. Lives on its own context; every callback
 * of its session comes back there, so its state needs no locks.
 */
public final class DialogueRun {
  private static final int MAX_SYNC_DEPTH = 64;

  private final RunPlan plan;
  private final Dialogue dialogue;
  private final RunSettings settings;
  private final RunObserver observer;
  private final Launcher launcher;
  private final Vertx vertx;
  /** The run's own context, from its deployment; set before anything runs on it. */
  private volatile Context context;
  private final Promise<Context> deployed = Promise.promise();
  private final Promise<String> deploymentId = Promise.promise();
  private final Map<String, String> vars = new HashMap<>();
  /** {@link #lookup}, made once: every send and expect of every round substitutes with it. */
  private final java.util.function.Function<String, String> byName = this::lookup;
  /** Regexes without variables, compiled once (an `again` loop may search thousands of times). */
  private final Map<Branch.Pattern, PatternSpec> compiled = new HashMap<>();
  private final Secrets secrets = new Secrets();
  private final List<StepResult> stepResults = new ArrayList<>();
  private final Promise<RunResult> result = Promise.promise();
  private final Instant started = Instant.now();
  private final long startNanos = System.nanoTime();
  private Conversation session;
  private ScreenWait screen; // null unless a pty run with screen steps
  /** The innermost step being played (a branch's steps are nested), or null. */
  private Step playing;
  /** The top-level step being played, or -1. */
  private int currentStep = -1;
  /** When the current step started. */
  private long stepStartNanos = System.nanoTime();
  private boolean over;
  private int depth;
  /** Above 0 while an always branch's own steps play: always branches are not waited for. */
  private int alwaysPaused;
  private String interrupted;

  private DialogueRun(Vertx vertx, RunPlan plan, RunSettings settings, RunObserver observer,
                      Launcher launcher) {
    this.plan = plan;
    this.dialogue = plan.dialogue();
    this.settings = settings;
    this.observer = observer;
    this.launcher = launcher;
    this.vertx = vertx;
  }

  /**
   * Starts the run on a context of its own. Each run is deployed, so it gets a fresh event-loop
   * context (spread over the event loops), whichever thread or context starts it: one run's
   * work never queues behind another's on a shared context.
   */
  public static DialogueRun start(Vertx vertx, RunPlan plan, RunSettings settings,
                                  RunObserver observer, Launcher launcher) {
    DialogueRun run = new DialogueRun(vertx, plan, settings, observer, launcher);
    vertx.deployVerticle(run.new Deployment()).onComplete(ar -> {
      if (ar.succeeded()) {
        run.deploymentId.complete(ar.result());
      } else {
        run.deployed.tryFail(ar.cause());
        run.result.tryComplete(new RunResult(plan.name(), plan.dialogue().file(), false,
            "cannot start: " + ar.cause().getMessage(), null, null, run.started,
            Duration.ZERO, List.of(), 0, 0));
      }
    });
    return run;
  }

  /** The run as a deployment: deploying it hands it the context it lives on. */
  private final class Deployment implements io.vertx.core.Deployable {
    @Override
    public Future<?> deploy(Context ctx) {
      context = ctx;
      deployed.complete(ctx);
      ctx.runOnContext(v -> begin());
      return Future.succeededFuture();
    }

    @Override
    public Future<?> undeploy(Context ctx) {
      return Future.succeededFuture();
    }
  }

  /** Completes when the run is over and its child reaped. */
  public Future<RunResult> result() {
    return result.future();
  }

  /**
   * Stops the run from outside (interrupt, --fail-fast): the child's process group is terminated
   * and the run fails with {@code why}. Safe from any thread; a finished run is left alone.
   */
  public void stop(String why) {
    deployed.future().onSuccess(ctx -> ctx.runOnContext(v -> {
      if (result.future().isComplete()) {
        return;
      }
      // Where the run stood, in the shape of a timeout failure: a stuck run can be understood.
      String full = why + where();
      if (interrupted == null) {
        interrupted = full;
      }
      if (!over) {
        abort(full);
      } else if (session != null) {
        session.terminate(settings.grace());
      }
    }));
  }

  /** "\nstep 3 (FILE:LINE:COLUMN): waiting ... for ...\nlast lines ...", or "" before a step. */
  private String where() {
    if (session == null || currentStep < 0 || currentStep >= dialogue.steps().size()) {
      return "";
    }
    Step s = playing != null ? playing : dialogue.steps().get(currentStep);
    String waiting = session.waiting();
    return "\nstep " + (currentStep + 1) + " (" + s.pos() + "): "
        + (waiting != null ? waiting : kind(s) + " under way") + "\n"
        + Messages.lastLines(session.lastLines());
  }

  /** Kills the child's session at once (a second ^C); the run ends as {@link #stop} left it. */
  public void kill() {
    deployed.future().onSuccess(ctx -> ctx.runOnContext(v -> {
      if (interrupted == null) {
        interrupted = "killed: promptly was interrupted twice";
      }
      if (!over) {
        abort(interrupted);
      }
      if (session != null && !result.future().isComplete()) {
        session.terminate(Duration.ZERO);
      }
    }));
  }

  private void begin() {
    try {
      bindVariables();
      SpawnOptions options = spawnOptions();
      if (RemoteTarget.isRemote(plan)) {
        beginRemote(options);
        return;
      }
      RunInfo info = new RunInfo(plan.name(), dialogue.file(),
          secrets.mask(String.join(" ", options.argv())), -1, dialogue.quiet(), options.pty(),
          options.rows(), options.columns(), options.pty() ? options.env().get("TERM") : null,
          started);
      Dialogue.Terminal t = dialogue.terminal();
      session = Conversation.start(info, launcher, options, context, t.stripAnsi(),
          dialogue.pty() && t.normalizeCrLf(), settings.window(), secrets, observer);
      session.secretCaptures(dialogue.secretVars());
      screen = ScreenWait.watch(dialogue, session, context);
    } catch (Vars.Unresolved e) {
      end("cannot start " + commandText() + ": " + unresolved(e), null);
      return;
    } catch (SpawnException e) {
      end("cannot start " + commandText() + ": " + e.getMessage(), null);
      return;
    } catch (RuntimeException e) {
      end("cannot start " + commandText() + ": " + e, null);
      return;
    }
    step(0);
  }

  /**
   * An SSH target's run: the connection (shared) and channel open asynchronously; then the
   * session plays the dialogue exactly as for a local child.
   */
  private void beginRemote(SpawnOptions options) {
    SshTarget target;
    String command;
    try {
      target = RemoteTarget.of(plan, this::substitute);
      command = RemoteTarget.command(dialogue, options);
    } catch (IllegalArgumentException e) {
      end("cannot start: " + e.getMessage(), null);
      return;
    }
    // A password or passphrase is a secret wherever it came from.
    secrets.add(target.password());
    secrets.add(target.passphrase());
    SshChild.Pty pty = options.pty() ? new SshChild.Pty(options.rows(), options.columns(),
        options.echo(), options.env().getOrDefault("TERM", "dumb")) : null;
    SshConnections ssh = SshConnections.acquire(vertx);
    result.future().onComplete(r -> ssh.release());
    String shown = target + " " + (command == null ? "(login shell)" : commandText());
    ssh.open(target, command, pty, context).onComplete(ar -> {
      if (ar.failed()) {
        if (!over) {
          end("cannot start on " + secrets.mask(shown) + ": " + ar.cause().getMessage(), null);
        }
        return;
      }
      if (over) {
        ar.result().terminate(Duration.ZERO);
        return;
      }
      RunInfo info = new RunInfo(plan.name(), dialogue.file(), secrets.mask(shown), -1,
          dialogue.quiet(), options.pty(), options.rows(), options.columns(),
          options.pty() ? pty.term() : null, started);
      Dialogue.Terminal t = dialogue.terminal();
      try {
        session = Conversation.start(info, (o, c) -> ar.result(), options, context, t.stripAnsi(),
            dialogue.pty() && t.normalizeCrLf(), settings.window(), secrets, observer);
      } catch (SpawnException e) {
        end("cannot start on " + secrets.mask(shown) + ": " + e.getMessage(), null);
        return;
      }
      step(0);
    });
  }

  /** Names whose values are secrets: the dialogue's {@code secret:} list, and what set: made. */
  private final java.util.Set<String> secretNames = new java.util.HashSet<>();

  private void bindVariables() {
    secretNames.addAll(dialogue.secretVars());
    // An inventory host's variables are given like matrix values (the dialogue's vars are
    // defaults they override); a dialogue var may refer to them.
    Map<String, String> given = new LinkedHashMap<>(plan.hostVars());
    given.putAll(plan.matrixValues());
    vars.putAll(RunPlan.bind(dialogue, given, settings.vars(), true));
    for (String name : dialogue.secretVars()) {
      secrets.add(vars.get(name));
    }
  }

  private SpawnOptions spawnOptions() {
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    dialogue.env().forEach((k, v) -> env.put(k, substitute(v)));
    // Each argument is substituted on its own: a value is never split into more arguments.
    List<String> argv = new ArrayList<>();
    List<String> given = DialogueLoader.argv(dialogue);
    for (int i = 0; i < given.size(); i++) {
      boolean script = dialogue.shell() && i == given.size() - 1;
      argv.add(script ? shellScript(given.get(i), env) : substitute(given.get(i)));
    }
    if (dialogue.pty()) {
      env.putIfAbsent("TERM", "dumb");
    }
    Dialogue.Terminal t = dialogue.terminal();
    return new SpawnOptions(argv, DialogueLoader.resolveCwd(dialogue, byName), env,
        dialogue.pty(), t.rows(), t.columns(), t.echo());
  }

  /**
   * A {@code shell: true} command with each {@code ${name}} turned into a reference to an
   * environment variable holding the value ({@code ${PROMPTLY_name}}). The shell then expands a
   * value as data: quotes, {@code $(...)} or {@code ;} in it are never run as shell code.
   */
  private String shellScript(String script, Map<String, String> env) {
    Map<String, String> names = new HashMap<>();
    return Vars.substitute(script, name -> {
      String value = lookup(name);
      if (value == null) {
        return null;
      }
      String var = names.computeIfAbsent(name, n -> {
        String base = "PROMPTLY_" + n.replaceAll("[^A-Za-z0-9_]", "_");
        String candidate = base;
        for (int k = 2; names.containsValue(candidate); k++) {
          candidate = base + "_" + k;
        }
        return candidate;
      });
      env.put(var, value);
      return "${" + var + "}";
    });
  }

  private String commandText() {
    return String.join(" ", dialogue.command());
  }

  /** Substitutes every reference, or throws {@link Vars.Unresolved}: no placeholder is sent. */
  private String substitute(String text) {
    return Vars.strict(text, byName);
  }

  /** Why a variable had no value, and where it would have been captured. */
  private String unresolved(Vars.Unresolved e) {
    String name = e.name();
    if (name.startsWith(Vars.ENV_PREFIX)) {
      return "environment variable " + name.substring(Vars.ENV_PREFIX.length())
          + " is not set; nothing was sent";
    }
    Branch[] capturing = {null};
    dev.promptly.dsl.StepTree.forEachBranch(dialogue, b -> {
      if (capturing[0] == null && b.pattern() instanceof Branch.Pattern.Regex r
          && dev.promptly.match.PromptMatcher.groupNames(r.source()).contains(name)) {
        capturing[0] = b;
      }
    });
    if (capturing[0] != null) {
      return "variable ${" + name + "} has no value: it is captured by the branch at "
          + capturing[0].pos() + ", which has not matched; nothing was sent";
    }
    return "variable ${" + name + "} has no value; nothing was sent";
  }

  private String lookup(String name) {
    if (name.startsWith("env:")) {
      return System.getenv(name.substring(4));
    }
    return vars.get(name);
  }

  /**
   * A step failed: why, and the innermost step it happened in (a step of a branch's steps
   * fails its enclosing step, but the message points at where it happened).
   */
  private static final class StepFailed extends RuntimeException {
    private final transient Step step;

    StepFailed(Step step, String why) {
      super(why, null, false, false);
      this.step = step;
    }
  }

  private static Future<Void> failed(Step s, String why) {
    return Future.failedFuture(new StepFailed(s, why));
  }

  /** The top-level steps from {@code index} on, each recorded in the run's results. */
  private void step(int index) {
    if (over) {
      return;
    }
    // Steps whose futures are already complete run synchronously; hop to keep the stack flat.
    if (++depth > MAX_SYNC_DEPTH) {
      depth = 0;
      context.runOnContext(v -> step(index));
      return;
    }
    try {
      if (index >= dialogue.steps().size()) {
        finish();
        return;
      }
      Step s = dialogue.steps().get(index);
      stepStartNanos = System.nanoTime();
      currentStep = index;
      play(s, index, true).onComplete(ar -> {
        if (over) {
          return;
        }
        if (ar.failed()) {
          Step at = ar.cause() instanceof StepFailed f && f.step != null ? f.step : s;
          String why = ar.cause() instanceof StepFailed ? ar.cause().getMessage()
              : String.valueOf(ar.cause());
          // The step's real time: a timed-out step took its limit, not zero.
          stepResults.add(new StepResult(index + 1, s.pos().line(), kind(s), false, null, null,
              -1, -1, Map.of(), since(stepStartNanos), 1));
          abort("step " + (index + 1) + " (" + at.pos() + "): " + why);
          return;
        }
        step(index + 1);
      });
    } finally {
      depth = Math.max(0, depth - 1);
    }
  }

  /** Nested steps (a branch's), in order; the first failure ends them. */
  private Future<Void> playAll(List<Step> steps, int index) {
    Promise<Void> done = Promise.promise();
    playFrom(steps, 0, index, done);
    return done.future();
  }

  private void playFrom(List<Step> steps, int i, int index, Promise<Void> done) {
    if (over) {
      done.tryFail(new StepFailed(null, "stopped"));
      return;
    }
    if (i >= steps.size()) {
      done.tryComplete();
      return;
    }
    if (++depth > MAX_SYNC_DEPTH) {
      depth = 0;
      context.runOnContext(v -> playFrom(steps, i, index, done));
      return;
    }
    try {
      play(steps.get(i), index, false).onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
        } else {
          playFrom(steps, i + 1, index, done);
        }
      });
    } finally {
      depth = Math.max(0, depth - 1);
    }
  }

  /** The person at the terminal takes over until the step's end; then the dialogue goes on. */
  private Future<Void> interact(int index, Step.Interact i, boolean top) {
    long t0 = System.nanoTime();
    return new Interaction(context, session, i, plan.name(), secrets, observer,
        dialogue.pty() && dialogue.terminal().echo(), this::toSpec, this::send).play()
        .transform(ar -> {
          Interaction.Ended e = ar.result();
          if (e.failure() != null) {
            return failed(i, e.failure());
          }
          record(top, new StepResult(index + 1, i.pos().line(), "interact", true, e.how(), null,
              -1, -1, Map.of(), since(t0), 1));
          return Future.succeededFuture();
        });
  }

  /**
   * Plays one step; the future fails with {@link StepFailed}. {@code index} is the top-level
   * step it belongs to (0-based); {@code top} records its result in the run's steps.
   */
  private Future<Void> play(Step s, int index, boolean top) {
    playing = s;
    try {
      if (s instanceof Step.Expect e) {
        Promise<Void> done = Promise.promise();
        expect(index, e, top, 1, System.nanoTime(), done);
        return done.future();
      } else if (s instanceof Step.Send send) {
        long t0 = System.nanoTime();
        return send(send.text()).transform(ar -> {
          if (ar.failed()) {
            return failed(s, "could not send: " + ar.cause().getMessage());
          }
          record(top, new StepResult(index + 1, s.pos().line(), "send", true, null, null,
              -1, -1, Map.of(), since(t0), 1));
          return Future.succeededFuture();
        });
      } else if (s instanceof Step.Signal sig) {
        session.child().signal(sig.signal());
        Conversation.LOG.debug("[{}] signal {} to the process group", plan.name(),
            Signals.name(sig.signal()));
        record(top, new StepResult(index + 1, s.pos().line(), "signal", true,
            Signals.name(sig.signal()), null, -1, -1, Map.of(), Duration.ZERO, 1));
        return Future.succeededFuture();
      } else if (s instanceof Step.Interact i) {
        return interact(index, i, top);
      } else if (s instanceof Step.Close) {
        long t0 = System.nanoTime();
        Conversation.LOG.debug("[{}] close stdin", plan.name());
        return session.closeInput().transform(ar -> {
          if (ar.failed()) {
            return failed(s, "could not close input: " + ar.cause().getMessage());
          }
          record(top, new StepResult(index + 1, s.pos().line(), "close", true, null, null,
              -1, -1, Map.of(), since(t0), 1));
          return Future.succeededFuture();
        });
      }
      if (s instanceof Step.Include inc) {
        return include(inc, index, top);
      }
      if (s instanceof Step.Retry r) {
        return retry(r, index, top, 1);
      }
      if (s instanceof Step.SetVars set) {
        setVars(set);
        record(top, new StepResult(index + 1, s.pos().line(), "set", true, null, null, -1, -1,
            Map.of(), Duration.ZERO, 1));
        return Future.succeededFuture();
      }
      if (s instanceof Step.Log log) {
        String text = secrets.mask(substitute(log.text()));
        Conversation.LOG.debug("[{}] log \"{}\"", plan.name(), Messages.visible(text));
        observer.logged(plan.name(), text);
        record(top, new StepResult(index + 1, s.pos().line(), "log", true, null, null, -1, -1,
            Map.of(), Duration.ZERO, 1));
        return Future.succeededFuture();
      }
      if (s instanceof Step.Sleep sleep) {
        long t0 = System.nanoTime();
        Promise<Void> slept = Promise.promise();
        context.owner().setTimer(Math.max(1, sleep.duration().toMillis()), id -> {
          if (over) {
            slept.tryFail(new StepFailed(null, "stopped"));
          } else {
            record(top, new StepResult(index + 1, s.pos().line(), "sleep", true, null, null, -1,
                -1, Map.of(), since(t0), 1));
            slept.tryComplete();
          }
        });
        return slept.future();
      }
      if (s instanceof Step.When w) {
        if (!holds(w.condition())) {
          Conversation.LOG.debug("[{}] step at {} skipped: when {} does not hold", plan.name(),
              s.pos(), w.condition().source());
          return Future.succeededFuture();
        }
        return play(w.step(), index, top);
      }
      return failed(s, "this step is not known to this engine");
    } catch (Vars.Unresolved u) {
      return failed(s, unresolved(u));
    } catch (Condition.Failure f) {
      return failed(s, f.getMessage());
    } catch (RuntimeException ex) {
      return failed(s, String.valueOf(ex));
    }
  }

  /**
   * An included file's steps: its parameters are set (all substituted first, so one may use an
   * outer value of another's name) and put back as they were when it ends.
   */
  private Future<Void> include(Step.Include inc, int index, boolean top) {
    long t0 = System.nanoTime();
    Map<String, String> values = new LinkedHashMap<>();
    inc.vars().forEach((k, v) -> values.put(k, substitute(v)));
    Map<String, String> before = new HashMap<>();
    for (String k : values.keySet()) {
      before.put(k, vars.get(k));
    }
    vars.putAll(values);
    Conversation.LOG.debug("[{}] include {}", plan.name(), inc.file());
    return playAll(inc.steps(), index).andThen(ar -> {
      before.forEach((k, v) -> {
        if (v == null) {
          vars.remove(k);
        } else {
          vars.put(k, v);
        }
      });
      if (ar.succeeded()) {
        record(top, new StepResult(index + 1, inc.pos().line(), "include", true, null, null,
            -1, -1, Map.of(), since(t0), 1));
      }
    });
  }

  /**
   * {@code set:}: each value substituted in order. A value made from a secret is a secret:
   * masked everywhere, and its name is secret for later {@code set:} steps too.
   */
  private void setVars(Step.SetVars set) {
    set.values().forEach((name, raw) -> {
      String value = substitute(raw);
      boolean secret = dialogue.secretVars().contains(name)
          || Vars.references(raw).stream().anyMatch(secretNames::contains);
      vars.put(name, value);
      if (secret) {
        secretNames.add(name);
        secrets.add(value);
      } else {
        secretNames.remove(name);
      }
    });
  }

  /**
   * A step played again after it failed, up to {@code times} more times; each failure before
   * the last is shown in the live view and the timeline. The run's own stop is never retried.
   */
  private Future<Void> retry(Step.Retry r, int index, boolean top, int attempt) {
    return play(r.step(), index, top).recover(err -> {
      if (over || !(err instanceof StepFailed f) || f.getMessage().equals("stopped")) {
        return Future.failedFuture(err);
      }
      String first = f.getMessage().lines().findFirst().orElse("");
      if (attempt > r.times()) {
        return Future.failedFuture(new StepFailed(f.step, "failed " + attempt + " times (retry: "
            + r.times() + "); the last time: " + f.getMessage()));
      }
      observer.logged(plan.name(), secrets.mask("try " + attempt + " of " + (r.times() + 1)
          + " of the step at " + r.pos() + " failed (" + first + "); again"
          + (r.delay().isZero() ? "" : " in " + Messages.duration(r.delay()))));
      Promise<Void> waited = Promise.promise();
      context.owner().setTimer(Math.max(1, r.delay().toMillis()), id -> waited.tryComplete());
      return waited.future().compose(v -> over ? Future.failedFuture(err)
          : retry(r, index, top, attempt + 1));
    });
  }

  private void record(boolean top, StepResult r) {
    if (top) {
      stepResults.add(r);
    }
  }

  /**
   * One pass of an expect step. The step again after an {@code again} branch (or an
   * {@code always:} one) is a loop, not recursion: a match already in the buffer completes at
   * once, so thousands of prompts in one read would nest that deep: every
   * {@link #MAX_SYNC_DEPTH} passes the next one is run from the context's queue instead.
   */
  private void again(int index, Step.Expect e, boolean top, int passes, long t0,
                     Promise<Void> done) {
    if (++depth > MAX_SYNC_DEPTH) {
      depth = 0;
      context.runOnContext(v -> expect(index, e, top, passes, t0, done));
      return;
    }
    try {
      expect(index, e, top, passes, t0, done);
    } finally {
      depth = Math.max(0, depth - 1);
    }
  }

  /**
   * The branches one pass of {@code e} waits for: the dialogue's {@code always:} ones first
   * (they win a tie, as Tcl's expect_before), then the step's own. None while an always branch's
   * own steps play (no always branch interrupts its own handling), nor for a screen step.
   */
  private List<Branch> branchesOf(Step.Expect e) {
    List<Branch> all = new ArrayList<>();
    if (alwaysPaused == 0 && ScreenWait.screenOf(e) == null) {
      for (Branch b : dialogue.always()) {
        if (b.when() == null || holds(b.when())) {
          all.add(b);
        }
      }
    }
    for (Branch b : e.branches()) {
      if (b.when() == null || holds(b.when())) {
        all.add(b);
      }
    }
    return all;
  }

  /** Whether a condition holds now; throws as {@link Condition#test} does. */
  private boolean holds(Condition c) {
    return c.test(byName);
  }

  /** How many of {@code branches} (a {@link #branchesOf} list) are always branches. */
  private int alwaysCount(List<Branch> branches, Step.Expect e) {
    int n = 0;
    for (Branch b : branches) {
      boolean own = false;
      for (Branch o : e.branches()) {
        own |= o == b;
      }
      if (!own) {
        n++;
      }
    }
    return n;
  }

  private void expect(int index, Step.Expect e, boolean top, int passes, long t0,
                      Promise<Void> done) {
    if (over) {
      done.tryFail(new StepFailed(e, "stopped"));
      return;
    }
    List<Branch> branches;
    List<PatternSpec> specs = new ArrayList<>();
    try {
      branches = branchesOf(e);
      for (Branch b : branches) {
        specs.add(toSpec(b.pattern()));
      }
    } catch (Vars.Unresolved u) {
      done.fail(new StepFailed(e, unresolved(u)));
      return;
    } catch (Condition.Failure f) {
      done.fail(new StepFailed(e, f.getMessage()));
      return;
    } catch (RuntimeException ex) {
      // A pattern that a substituted value made invalid, say: the step fails, the run goes on.
      done.fail(new StepFailed(e, "cannot wait: " + ex.getMessage()));
      return;
    }
    int alwaysCount = alwaysCount(branches, e);
    if (alwaysCount == branches.size()) {
      // Every branch of the step has a when: that does not hold: nothing to wait for.
      Conversation.LOG.debug("[{}] step at {} skipped: no branch's when holds", plan.name(),
          e.pos());
      record(top, new StepResult(index + 1, e.pos().line(), "expect", true, null, null, -1, -1,
          Map.of(), since(t0), passes));
      done.tryComplete();
      return;
    }
    Duration timeout = e.timeout() != null ? e.timeout()
        : dialogue.timeout() != null ? dialogue.timeout() : settings.defaultTimeout();
    Branch.Pattern.Screen onScreen = ScreenWait.screenOf(e);
    Future<MatchResult> waited;
    if (onScreen != null && (screen == null || e.branches().size() > 1)) {
      done.fail(new StepFailed(e, screen == null ? "screen: needs pty: true"
          : "a screen pattern must be the only pattern of its step"));
      return;
    } else if (onScreen != null) {
      String text;
      try {
        text = onScreen.regex() ? Vars.strict(onScreen.text(), name -> {
          String v = lookup(name);
          return v == null ? null : Pattern.quote(v);
        }) : substitute(onScreen.text());
      } catch (Vars.Unresolved u) {
        done.fail(new StepFailed(e, unresolved(u)));
        return;
      }
      waited = screen.await(text, onScreen.regex(), timeout, session.outputEnded());
    } else {
      waited = session.expect(specs, timeout);
    }
    waited.onComplete(ar -> {
      if (over) {
        done.tryFail(new StepFailed(e, "stopped"));
        return;
      }
      if (ar.failed()) {
        // Shown with the step's own patterns: their text has the secrets masked.
        String why = ar.cause() instanceof ExpectFailure x
            ? Messages.expectFailed(x.reason() == ExpectFailure.Reason.TIMEOUT,
                specs.stream().map(PatternSpec::toString).collect(Collectors.joining(" | ")),
                x.elapsed(), x.timeout()) + (x.detail() == null ? "" : ": " + x.detail())
                + "\n" + Messages.lastLines(x.lastLines())
            : String.valueOf(ar.cause().getMessage());
        done.fail(new StepFailed(e, why));
        return;
      }
      MatchResult m = ar.result();
      long byteOffset = session.lastMatchByteOffset();
      Branch b = branches.get(m.branch());
      boolean always = m.branch() < alwaysCount;
      String branch = specs.get(m.branch()).toString();
      // The values of secret captures were made secrets by the session as they matched.
      String shownMatch = secrets.mask(m.text());
      if (Conversation.LOG.isDebugEnabled()) {
        Conversation.LOG.debug("[{}] step {} matched {}{}: \"{}\" at byte {}", plan.name(),
            index + 1, always ? "always " : "", secrets.mask(branch),
            Messages.visible(shownMatch), byteOffset);
      }
      observer.matched(plan.name(), index + 1, secrets.mask(branch), shownMatch, byteOffset);
      Map<String, String> captures = new LinkedHashMap<>();
      for (Map.Entry<String, String> g : m.groups().entrySet()) {
        String k = g.getKey();
        if (!Character.isDigit(k.charAt(0))) {
          vars.put(k, g.getValue());
          captures.put(k, secrets.mask(g.getValue()));
        }
      }
      if (b.fail() != null) {
        String text = Vars.substitute(b.fail(), byName);
        done.fail(new StepFailed(e, text + " (matched " + specs.get(m.branch()) + ")\n"
            + Messages.lastLines(session.lastLines())));
        return;
      }
      boolean loops = b.again() || always;
      if (loops && m.text().isEmpty() && !(b.pattern() instanceof Branch.Pattern.Timeout)) {
        done.fail(new StepFailed(e, "the branch at " + b.pos() + " matched empty text and "
            + (always ? "is an always branch" : "has 'again'") + ": it would match again at the "
            + "same place for ever (make " + specs.get(m.branch())
            + " match at least one character)"));
        return;
      }
      Future<Void> sending;
      try {
        sending = b.send() == null ? Future.succeededFuture() : send(b.send());
      } catch (Vars.Unresolved u) {
        done.fail(new StepFailed(e, unresolved(u)));
        return;
      }
      sending.transform(sent -> sent.failed()
          ? failed(e, "matched " + specs.get(m.branch()) + " but could not send: "
              + sent.cause().getMessage())
          : branchSteps(b, always, index)).onComplete(played -> {
            if (played.failed()) {
              done.tryFail(played.cause());
            } else if (loops) {
              again(index, e, top, passes + 1, t0, done);
            } else {
              record(top, new StepResult(index + 1, e.pos().line(), "expect", true,
                  secrets.mask(branch), shownMatch, m.start(), byteOffset, captures, since(t0),
                  passes));
              done.tryComplete();
            }
          });
    });
  }

  /** A branch's own steps; while an always branch's play, no always branch is waited for. */
  private Future<Void> branchSteps(Branch b, boolean always, int index) {
    if (b.steps().isEmpty()) {
      return Future.succeededFuture();
    }
    if (!always) {
      return playAll(b.steps(), index);
    }
    alwaysPaused++;
    return playAll(b.steps(), index).andThen(ar -> alwaysPaused--);
  }

  private PatternSpec toSpec(Branch.Pattern p) {
    if (p instanceof Branch.Pattern.Screen s) {
      return new PatternSpec.Literal("screen " + s.text()); // waited for by ScreenWait instead
    }
    if (p instanceof Branch.Pattern.Literal l) {
      return new PatternSpec.Literal(substitute(l.text()));
    }
    if (p instanceof Branch.Pattern.Regex r) {
      if (Vars.references(r.source()).isEmpty()) {
        return compiled.computeIfAbsent(r, k -> PatternSpec.Regex.of(r.source()));
      }
      // Substituted values are quoted: a value is text to find, not more regex. Messages show
      // the source with secrets masked before quoting (quoting splits a value holding \E).
      String source = Vars.strict(r.source(), name -> {
        String v = lookup(name);
        return v == null ? null : Pattern.quote(v);
      });
      String shown = Vars.substitute(r.source(), name -> {
        String v = lookup(name);
        return v == null ? null : Pattern.quote(secrets.mask(v));
      });
      return PatternSpec.Regex.of(source, shown);
    }
    if (p instanceof Branch.Pattern.Eof) {
      return new PatternSpec.Eof();
    }
    return new PatternSpec.Timeout();
  }

  private Future<Void> send(Step.Send.Text t) {
    String text = substitute(t.text());
    if (t.secret()) {
      secrets.add(text);
    }
    String full = t.newline() ? text + "\n" : text;
    boolean echoed = dialogue.pty() && dialogue.terminal().echo();
    String shown = t.secret() ? Secrets.MASK + (t.newline() ? "\n" : "") : secrets.mask(full);
    if (Conversation.LOG.isDebugEnabled()) {
      Conversation.LOG.debug("[{}] send \"{}\"", plan.name(), Messages.visible(shown));
    }
    observer.sent(plan.name(), shown, echoed);
    return session.send(full);
  }

  private static String kind(Step s) {
    if (s instanceof Step.When w) {
      return kind(w.step());
    }
    if (s instanceof Step.Retry r) {
      return kind(r.step());
    }
    if (s instanceof Step.Include) {
      return "include";
    }
    if (s instanceof Step.SetVars) {
      return "set";
    }
    if (s instanceof Step.Sleep) {
      return "sleep";
    }
    if (s instanceof Step.Log) {
      return "log";
    }
    return s instanceof Step.Expect ? "expect" : s instanceof Step.Send ? "send"
        : s instanceof Step.Signal ? "signal" : s instanceof Step.Interact ? "interact" : "close";
  }

  /** A failure: the child and its process group are terminated and reaped. */
  private void abort(String why) {
    if (over) {
      return;
    }
    if (session == null) {
      // An SSH run still connecting: it ends here; the channel, if it opens, is closed.
      end(why, null);
      return;
    }
    over = true;
    session.terminate(settings.grace()).onComplete(ar -> drainThen(ar.result(), why));
  }

  /** Every step passed: end input, wait for the exit, compare. */
  private void finish() {
    over = true;
    Duration limit = dialogue.timeout() != null ? dialogue.timeout() : settings.defaultTimeout();
    session.closeInput();
    Promise<ExitStatus> waited = Promise.promise();
    long timer = context.owner().setTimer(limit.toMillis(), id -> waited.tryFail("timeout"));
    session.exit().onComplete(ar -> {
      context.owner().cancelTimer(timer);
      if (ar.succeeded()) {
        waited.tryComplete(ar.result());
      }
    });
    waited.future().onComplete(ar -> {
      if (ar.succeeded()) {
        ExitStatus status = ar.result();
        // Output written before the exit is still in the pipe: let it arrive, then clean up the
        // group (a grandchild may hold the output open).
        awaitOutput(min(Duration.ofSeconds(1), limit)).onComplete(v ->
            session.terminate(settings.grace()).onComplete(t -> drainThen(status,
                exitMismatch(status))));
      } else {
        String why = "the child was still running " + Messages.duration(limit)
            + " after the last step (expected " + expectedExit() + ")\n"
            + Messages.lastLines(session.lastLines());
        if (dialogue.exit() == null) {
          why = null;
        }
        String reason = why;
        session.terminate(settings.grace()).onComplete(t -> drainThen(t.result(), reason));
      }
    });
  }

  private String exitMismatch(ExitStatus status) {
    Integer want = dialogue.exit();
    if (want == null) {
      return null;
    }
    if (want < 0) {
      if (status.bySignal() && status.signal() == -want) {
        return null;
      }
      return "the child " + (status.bySignal() ? "was " + status : "exited with status "
          + status.code()) + " (expected killed by " + Signals.name(-want) + ")\n"
          + Messages.lastLines(session.lastLines());
    }
    if (status.bySignal()) {
      return "the child was " + status + " (expected exit " + want + ")\n"
          + Messages.lastLines(session.lastLines());
    }
    if (status.code() != want) {
      return "the child exited with status " + status.code() + " (expected " + want + ")\n"
          + Messages.lastLines(session.lastLines());
    }
    return null;
  }

  private String expectedExit() {
    Integer want = dialogue.exit();
    return want == null ? "any exit status"
        : want < 0 ? "killed by " + Signals.name(-want) : "exit " + want;
  }

  private Future<Void> awaitOutput(Duration limit) {
    if (session.outputEnded().isComplete()) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    long timer = context.owner().setTimer(limit.toMillis(), id -> p.tryComplete());
    session.outputEnded().onComplete(v -> {
      context.owner().cancelTimer(timer);
      p.tryComplete();
    });
    return p.future();
  }

  private void drainThen(ExitStatus status, String failure) {
    awaitOutput(Duration.ofSeconds(2)).onComplete(v -> {
      String why = failure;
      if (why != null && status != null && status.bySignal()
          && status.signal() != Signals.SIGTERM
          && status.signal() != Signals.SIGKILL) {
        why = why + "\n(the child was " + status + ")";
      }
      end(why, status);
    });
  }

  private void end(String why, ExitStatus status) {
    over = true;
    if (interrupted != null && (why == null || !why.startsWith(interrupted))) {
      why = why == null ? interrupted : interrupted + "\n" + why;
    }
    // A fail: text or an error may quote a variable: the last line of defence.
    String failure = secrets.mask(why);
    if (Conversation.LOG.isDebugEnabled()) {
      Conversation.LOG.debug("[{}] {}: {}", plan.name(), status == null ? "not started" : status,
          failure == null ? "passed" : "failed: " + failure.lines().findFirst().orElse(""));
    }
    RunResult r = new RunResult(plan.name(), dialogue.file(), failure == null, failure,
        status == null || status.bySignal() ? null : status.code(),
        status != null && status.bySignal()
            ? Signals.name(status.signal()) : null,
        started, since(startNanos), stepResults,
        session == null ? 0 : session.bytesRead(), session == null ? 0 : session.bytesWritten());
    observer.finished(r);
    // The result is handed over once the run's deployment is gone: whoever closes Vert.x right
    // after the last result then finds nothing of ours left to undeploy (closing while our own
    // undeploy was under way logged "Already undeployed").
    deploymentId.future().compose(vertx::undeploy).onComplete(v -> result.complete(r));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
