package dev.promptly.engine;

import dev.promptly.dsl.Dialogue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run to make: a dialogue with one combination of its matrix.
 *
 * @param name the run's name: the dialogue's, with {@code [key=value,...]} for a matrix run
 * @param dialogue the dialogue
 * @param matrixValues this run's matrix values (empty without a matrix)
 */
public record RunPlan(String name, Dialogue dialogue, Map<String, String> matrixValues) {
  public RunPlan {
    matrixValues = Collections.unmodifiableMap(new LinkedHashMap<>(matrixValues));
  }

  /** One plan per combination of the dialogue's matrix, in the order the values are written. */
  public static List<RunPlan> expand(Dialogue d) {
    List<Map<String, String>> combos = new ArrayList<>();
    combos.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<String>> axis : d.matrix().entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> c : combos) {
        for (String v : axis.getValue()) {
          Map<String, String> m = new LinkedHashMap<>(c);
          m.put(axis.getKey(), v);
          next.add(m);
        }
      }
      combos = next;
    }
    List<RunPlan> plans = new ArrayList<>();
    for (Map<String, String> c : combos) {
      String name = d.name();
      if (!c.isEmpty()) {
        StringBuilder sb = new StringBuilder(name).append('[');
        c.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '[' ? "" : ",")
            .append(k).append('=').append(v));
        name = sb.append(']').toString();
      }
      plans.add(new RunPlan(name, d, c));
    }
    return plans;
  }

  /** Plans for every dialogue, matrices expanded. */
  public static List<RunPlan> expandAll(List<Dialogue> dialogues) {
    List<RunPlan> all = new ArrayList<>();
    for (Dialogue d : dialogues) {
      all.addAll(expand(d));
    }
    return all;
  }
}
