package dev.promptly.engine;

import dev.promptly.api.ExpectFailure;
import dev.promptly.dsl.Branch;
import dev.promptly.dsl.Step;
import dev.promptly.match.MatchResult;
import dev.promptly.match.PatternSpec;
import dev.promptly.match.Utf8Decoder;
import dev.promptly.report.RunObserver;
import dev.promptly.terminal.PersonTerminal;
import dev.promptly.terminal.Turns;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One {@code interact:} step (Tcl's interact): the person at promptly's terminal talks to the
 * child directly, in raw mode, the child's output unprefixed, until the escape key, an
 * {@code until:} match in the output, or an {@code input-until:} match in what they type. The
 * terminal goes to one interaction at a time ({@link Turns}). Lives on the run's context.
 */
final class Interaction {
  /** An interaction has no time limit of its own: the person decides. */
  private static final Duration UNLIMITED = Duration.ofDays(365);
  /** What the person typed, kept for input-until. */
  private static final int TYPED_KEPT = 4096;

  /** How it ended: null failure when it went well. */
  record Ended(String how, String failure) {
  }

  private final Context context;
  private final Conversation session;
  private final Step.Interact step;
  private final String run;
  private final Secrets secrets;
  private final RunObserver observer;
  private final boolean echoed;
  private final Function<Branch.Pattern, PatternSpec> toSpec;
  private final Function<Step.Send.Text, Future<Void>> send;
  private final Promise<Ended> ended = Promise.promise();
  private final StringBuilder typed = new StringBuilder();
  private final StringBuilder hiddenLine = new StringBuilder();
  private final Utf8Decoder keys = new Utf8Decoder();
  private Pattern inputUntil;
  private String inputUntilText;
  private boolean maskShown;
  private boolean on;
  private boolean finished;
  private Runnable giveBack = () -> { };
  private AutoCloseable raw;
  private AutoCloseable resize = () -> { };

  Interaction(Context context, Conversation session, Step.Interact step, String run,
              Secrets secrets, RunObserver observer, boolean echoed,
              Function<Branch.Pattern, PatternSpec> toSpec,
              Function<Step.Send.Text, Future<Void>> send) {
    this.context = context;
    this.session = session;
    this.step = step;
    this.run = run;
    this.secrets = secrets;
    this.observer = observer;
    this.echoed = echoed;
    this.toSpec = toSpec;
    this.send = send;
  }

  /** Waits for the terminal, interacts, gives it back; completes on the run's context. */
  Future<Ended> play() {
    if (!PersonTerminal.isTerminal(0)) {
      return Future.succeededFuture(new Ended(null, "interact: needs a terminal, and promptly's "
          + "input is not one"));
    }
    PatternSpec until = step.until() == null ? null : toSpec.apply(step.until());
    PatternSpec input = step.inputUntil() == null ? null : toSpec.apply(step.inputUntil());
    if (input instanceof PatternSpec.Regex r) {
      inputUntil = r.pattern();
    } else if (input instanceof PatternSpec.Literal l) {
      inputUntilText = l.text();
    }
    List<PatternSpec> specs = new ArrayList<>();
    step.onOutput().forEach(b -> specs.add(toSpec.apply(b.pattern())));
    Turns.take().thenAccept(release -> context.runOnContext(v -> {
      if (session.outputEnded().isComplete()) {
        // The child is gone (or the run was stopped while this one waited its turn): nothing
        // to hand over.
        giveBack = release;
        finish("the child's output ended", null);
        return;
      }
      takeTerminal(release, until, specs);
    }));
    return ended.future();
  }

  private void takeTerminal(Runnable release, PatternSpec until, List<PatternSpec> specs) {
    context.executeBlocking(() -> {
      // stty runs a process: off the event loop.
      raw = PersonTerminal.raw();
      return null;
    }).onComplete(ar -> {
      giveBack = release;
      if (ar.failed()) {
        finish(null, "interact: cannot put the terminal in raw mode: " + ar.cause().getMessage());
        return;
      }
      begin(until, specs);
    });
  }

  private void begin(PatternSpec until, List<PatternSpec> specs) {
    on = true;
    observer.interacting(run, true);
    String key = step.escape() < 0 ? null : step.escape() < 0x20
        ? "^" + (char) (step.escape() + '@') : new String(Character.toChars(step.escape()));
    // Keys first: whoever sees the banner may type at once.
    PersonTerminal.keys(bytes -> context.runOnContext(v -> typed(bytes)));
    PersonTerminal.show("\r\n[" + run + "] the terminal is yours"
        + (key != null ? "; " + key + " gives it back" : "") + "\r\n");
    session.onOutput(text -> {
      if (on) {
        PersonTerminal.show(text);
      }
    });
    resizeToPerson();
    resize = PersonTerminal.onResize(() -> context.runOnContext(v -> resizeToPerson()));
    watch(until, specs);
  }

  private void resizeToPerson() {
    int[] size = PersonTerminal.size();
    if (on && size != null && session.child().isPty()) {
      session.child().resize(size[0], size[1]);
    }
  }

  /** Waits on the child's output for until:, the on-output branches and the end of output. */
  private void watch(PatternSpec until, List<PatternSpec> specs) {
    if (!on) {
      return;
    }
    List<PatternSpec> all = new ArrayList<>(specs);
    int untilAt = -1;
    if (until != null && !(until instanceof PatternSpec.Eof)) {
      untilAt = all.size();
      all.add(until);
    }
    int eofAt = all.size();
    all.add(new PatternSpec.Eof());
    // Listed, the (year-long) limit says this wait is on purpose: a replayed child waiting for
    // input does not take the interaction for a dialogue stuck waiting.
    all.add(new PatternSpec.Timeout());
    int u = untilAt;
    session.expect(all, UNLIMITED).onComplete(ar -> {
      if (!on) {
        return;
      }
      if (ar.failed()) {
        finish(null, ar.cause() instanceof ExpectFailure x ? "interact: " + x.getMessage()
            : "interact: " + ar.cause().getMessage());
        return;
      }
      MatchResult m = ar.result();
      if (m.branch() == u) {
        finish("until " + until, null);
      } else if (m.branch() == eofAt) {
        finish("the child's output ended", null);
      } else if (m.branch() > eofAt) {
        finish("its time ran out", null);
      } else {
        Branch b = step.onOutput().get(m.branch());
        if (b.fail() != null) {
          finish(null, b.fail() + " (matched " + specs.get(m.branch()) + " while interacting)");
          return;
        }
        Future<Void> sent = b.send() == null ? Future.succeededFuture() : send.apply(b.send());
        sent.onComplete(s -> watch(until, specs));
      }
    });
  }

  private void typed(byte[] bytes) {
    if (!on) {
      return;
    }
    if (bytes.length == 0) {
      finish("the terminal's input ended", null);
      return;
    }
    String text = keys.decode(bytes);
    int escapeAt = step.escape() < 0 ? -1 : text.indexOf(new String(Character.toChars(
        step.escape())));
    String forward = escapeAt >= 0 ? text.substring(0, escapeAt) : text;
    if (!forward.isEmpty()) {
      boolean hidden = session.child().hidesInput();
      observer.sent(run, shown(forward, hidden), echoed && !hidden);
      session.send(forward);
      typed.append(forward);
      if (typed.length() > TYPED_KEPT) {
        typed.delete(0, typed.length() - TYPED_KEPT / 2);
      }
      if (inputUntil != null ? inputUntil.matcher(typed).find()
          : inputUntilText != null && typed.indexOf(inputUntilText) >= 0) {
        finish("input-until", null);
        return;
      }
    }
    if (escapeAt >= 0) {
      finish("escape", null);
    }
  }

  /** What the transcript gets: typed text, or for a line typed with echo off one mask. */
  private String shown(String text, boolean hidden) {
    if (!hidden && !maskShown) {
      return text;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        b.append(c);
        maskShown = false;
        secrets.add(hiddenLine.toString());
        hiddenLine.setLength(0);
      } else if (hidden || maskShown) {
        hiddenLine.append(c);
        if (!maskShown) {
          b.append(Secrets.MASK);
          maskShown = true;
        }
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private void finish(String how, String failure) {
    if (finished) {
      return;
    }
    finished = true;
    boolean was = on;
    on = false;
    session.cancelExpect("the interaction ended");
    PersonTerminal.keys(null);
    close(resize);
    AutoCloseable r = raw;
    raw = null;
    context.executeBlocking(() -> {
      close(r);
      return null;
    }).onComplete(v -> {
      if (was) {
        PersonTerminal.show("\r\n[" + run + "] the terminal is back with promptly ("
            + (how != null ? how : "failed") + ")\r\n");
        observer.interacting(run, false);
      }
      giveBack.run();
      ended.tryComplete(new Ended(how, failure));
    });
  }

  private static void close(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // Best effort: the terminal may be gone.
      }
    }
  }
}
