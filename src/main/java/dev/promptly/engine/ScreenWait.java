package dev.promptly.engine;

import dev.promptly.dsl.Branch;
import dev.promptly.dsl.Dialogue;
import dev.promptly.dsl.Step;
import dev.promptly.match.MatchResult;
import dev.promptly.match.screen.ScreenView;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Screen steps of one pty run: the rendered screen (fed every output chunk from the start, masked
 * as the transcript is) and the one screen expect waiting on it, checked after each chunk. The
 * byte-stream matcher is not involved, so byte expects go on working after screen steps.
 */
final class ScreenWait {
  private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
  private final ScreenView view;
  private final Context context;
  private Runnable waiter;

  private ScreenWait(Conversation session, Dialogue.Terminal t, Context context) {
    this.view = new ScreenView(t.rows(), t.columns());
    this.context = context;
    session.onOutput(text -> {
      view.feed(text);
      if (waiter != null) {
        waiter.run();
      }
    });
    session.outputEnded().onComplete(v -> {
      if (waiter != null) {
        waiter.run();
      }
    });
  }

  /** Watches {@code session} when the dialogue has screen steps and runs on a pty; else null. */
  static ScreenWait watch(Dialogue d, Conversation session, Context context) {
    if (!d.pty()) {
      return null;
    }
    boolean[] any = {false};
    dev.promptly.dsl.StepTree.forEachStep(d, s -> any[0] |= s instanceof Step.Expect e
        && screenOf(e) != null);
    return any[0] ? new ScreenWait(session, d.terminal(), context) : null;
  }

  /** The screen pattern of a step, or null when it has none. */
  static Branch.Pattern.Screen screenOf(Step.Expect e) {
    for (Branch b : e.branches()) {
      if (b.pattern() instanceof Branch.Pattern.Screen s) {
        return s;
      }
    }
    return null;
  }

  String screenText() {
    return view.text();
  }

  /**
   * Waits until the screen shows {@code text} (substituted) or matches it as a regex; fails with
   * the screen as text when the time runs out or the output ends first.
   */
  Future<MatchResult> await(String text, boolean regex, Duration timeout, Future<Void> ended) {
    Promise<MatchResult> promise = Promise.promise();
    Pattern compiled = regex ? Pattern.compile(text) : null;
    String shown = regex ? "screen regex /" + text + "/" : "screen \"" + text + "\"";
    long[] timer = {-1};
    Runnable check = () -> {
      Optional<MatchResult> m = match(text, compiled);
      String why = null;
      if (m.isEmpty() && ended.isComplete()) {
        why = "the output ended while waiting for " + shown;
      }
      if (m.isPresent() || why != null) {
        waiter = null;
        if (timer[0] >= 0) {
          context.owner().cancelTimer(timer[0]);
        }
        if (m.isPresent()) {
          promise.tryComplete(m.get());
        } else {
          promise.tryFail(why + "\n" + framed());
        }
      }
    };
    check.run();
    if (!promise.future().isComplete()) {
      waiter = check;
      timer[0] = context.owner().setTimer(Math.max(1, timeout.toMillis()), id -> {
        if (waiter == check) {
          waiter = null;
          promise.tryFail("timed out after " + Messages.duration(timeout) + " waiting for " + shown
              + "\n" + framed());
        }
      });
    }
    return promise.future();
  }

  private Optional<MatchResult> match(String text, Pattern regex) {
    if (regex == null) {
      return view.contains(text) ? Optional.of(new MatchResult(0, "", text, 0, 0, Map.of()))
          : Optional.empty();
    }
    return view.find(regex).map(ScreenWait::result);
  }

  private static MatchResult result(Matcher m) {
    Map<String, String> groups = new HashMap<>();
    for (int i = 0; i <= m.groupCount(); i++) {
      if (m.group(i) != null) {
        groups.put(Integer.toString(i), m.group(i));
      }
    }
    Matcher names = GROUP_NAME.matcher(m.pattern().pattern());
    while (names.find()) {
      String name = names.group(1);
      if (m.group(name) != null) {
        groups.put(name, m.group(name));
      }
    }
    return new MatchResult(0, "", m.group(), m.start(), m.end(), groups);
  }

  /** The screen as text between rules, as a failure shows it. */
  String framed() {
    return "the screen:\n+" + "-".repeat(20) + "\n" + view.text() + "\n+" + "-".repeat(20);
  }
}
