package dev.promptly.dsl;

import java.util.List;

/**
 * What loading dialogue files gave: the valid dialogues and every problem found. Run nothing
 * when {@code problems} is not empty: a dialogue with errors is left out of {@code dialogues},
 * so running the rest would silently skip it.
 *
 * @param dialogues the dialogues that had no problem, in file order
 * @param problems every problem, in file order
 */
public record LoadResult(List<Dialogue> dialogues, List<Problem> problems) {
  public LoadResult {
    dialogues = List.copyOf(dialogues);
    problems = List.copyOf(problems);
  }

  /** True when there is no problem at all. */
  public boolean ok() {
    return problems.isEmpty();
  }
}
