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

  /** Values longer than this, or not plain text, are named by position in run names. */
  static final int LONGEST_NAMED_VALUE = 24;

  /**
   * One plan per combination of the dialogue's matrix, in the order the values are written. A run
   * is named {@code name[key=value,...]}; a long or multi-line value shows as {@code key#N}, its
   * 1-based position among the key's values, so names stay short, readable and unique.
   */
  public static List<RunPlan> expand(Dialogue d) {
    List<Map<String, String>> combos = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    combos.add(new LinkedHashMap<>());
    labels.add("");
    for (Map.Entry<String, List<String>> axis : d.matrix().entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      List<String> nextLabels = new ArrayList<>();
      for (int c = 0; c < combos.size(); c++) {
        List<String> values = axis.getValue();
        for (int i = 0; i < values.size(); i++) {
          Map<String, String> m = new LinkedHashMap<>(combos.get(c));
          m.put(axis.getKey(), values.get(i));
          next.add(m);
          String prefix = labels.get(c).isEmpty() ? "" : labels.get(c) + ",";
          nextLabels.add(prefix + label(axis.getKey(), values.get(i), i + 1));
        }
      }
      combos = next;
      labels = nextLabels;
    }
    List<RunPlan> plans = new ArrayList<>();
    for (int i = 0; i < combos.size(); i++) {
      String name = d.matrix().isEmpty() ? d.name() : d.name() + "[" + labels.get(i) + "]";
      plans.add(new RunPlan(name, d, combos.get(i)));
    }
    return plans;
  }

  private static String label(String key, String value, int position) {
    boolean plain = value.length() <= LONGEST_NAMED_VALUE
        && value.chars().allMatch(ch -> ch >= 0x20 && ch != 0x7f && ch != ',' && ch != ']');
    return plain ? key + "=" + value : key + "#" + position;
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
