package dev.promptly.dsl;

import java.util.List;
import java.util.function.Consumer;

/**
 * Walks the steps of a dialogue, nested ones included (the steps of branches), for whoever
 * needs all of them: the variables a dialogue uses, the screen steps of a run, where a variable
 * is captured. Nesting is bounded by the YAML depth limit, so recursion stays shallow.
 */
public final class StepTree {
  private StepTree() {
  }

  /** Every step of {@code steps}, each before the steps nested in it. */
  public static void forEachStep(List<Step> steps, Consumer<Step> visit) {
    for (Step s : steps) {
      visit.accept(s);
      for (List<Step> inner : nested(s)) {
        forEachStep(inner, visit);
      }
    }
  }

  /** Every branch of the dialogue: its {@code always:} ones, then those of every expect step. */
  public static void forEachBranch(Dialogue d, Consumer<Branch> visit) {
    for (Branch b : d.always()) {
      visit.accept(b);
      forEachBranch(b.steps(), visit);
    }
    forEachBranch(d.steps(), visit);
  }

  private static void forEachBranch(List<Step> steps, Consumer<Branch> visit) {
    forEachStep(steps, s -> {
      if (s instanceof Step.Expect e) {
        e.branches().forEach(visit);
      } else if (s instanceof Step.Interact i) {
        i.onOutput().forEach(visit);
      }
    });
  }

  /** Every step of the dialogue, those of its {@code always:} branches included. */
  public static void forEachStep(Dialogue d, Consumer<Step> visit) {
    for (Branch b : d.always()) {
      forEachStep(b.steps(), visit);
    }
    forEachStep(d.steps(), visit);
  }

  /** The step lists directly inside {@code s}. */
  private static List<List<Step>> nested(Step s) {
    if (s instanceof Step.Expect e) {
      return e.branches().stream().map(Branch::steps).filter(l -> !l.isEmpty()).toList();
    }
    if (s instanceof Step.Include i) {
      return List.of(i.steps());
    }
    if (s instanceof Step.Retry r) {
      return List.of(List.of(r.step()));
    }
    if (s instanceof Step.When w) {
      return List.of(List.of(w.step()));
    }
    return List.of();
  }
}
