package dev.promptly.engine;

import dev.promptly.dsl.Dialogue;
import dev.promptly.dsl.Problem;
import dev.promptly.dsl.SourcePos;
import dev.promptly.dsl.Vars;
import dev.promptly.dsl.inventory.Inventory;
import java.nio.file.Path;
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
 * @param hostVars the inventory host's variables, group variables inherited (empty without
 *     {@code hosts:})
 */
public record RunPlan(String name, Dialogue dialogue, Map<String, String> matrixValues,
                      Map<String, String> hostVars) {
  public RunPlan {
    matrixValues = Collections.unmodifiableMap(new LinkedHashMap<>(matrixValues));
    hostVars = Collections.unmodifiableMap(new LinkedHashMap<>(hostVars));
  }

  public RunPlan(String name, Dialogue dialogue, Map<String, String> matrixValues) {
    this(name, dialogue, matrixValues, Map.of());
  }

  /**
   * Plans for every dialogue, matrices expanded, and for a dialogue with {@code hosts:} one run
   * per selected host named {@code NAME@HOST} (matrix x hosts). {@code limit} (--limit)
   * narrows every selection. Problems (no inventory, a pattern naming nothing) are added with
   * the position of {@code hosts:}.
   */
  public static List<RunPlan> expandAll(List<Dialogue> dialogues, Map<String, String> cliVars,
                                        Inventory inventory, String limit,
                                        List<Problem> problems) {
    List<RunPlan> all = new ArrayList<>();
    for (Dialogue d : dialogues) {
      List<RunPlan> plans = expand(d, cliVars);
      if (d.hosts() == null) {
        all.addAll(plans);
        continue;
      }
      if (inventory == null) {
        problems.add(new Problem(d.hosts().pos(), "hosts: needs an inventory (--inventory FILE, "
            + "-i FILE: Ansible's INI or YAML form)"));
        continue;
      }
      List<String> hosts = new ArrayList<>(inventory.select(d.hosts().pattern(), d.hosts().pos(),
          problems));
      if (limit != null) {
        hosts.retainAll(inventory.select(limit, SourcePos.unknown(Path.of("--limit")), problems));
      }
      for (RunPlan p : plans) {
        for (String h : hosts) {
          all.add(new RunPlan(p.name() + "@" + h, d, p.matrixValues(),
              inventory.resolve(h).vars()));
        }
      }
    }
    return all;
  }

  /** Values longer than this, or not plain text, are named by position in run names. */
  static final int LONGEST_NAMED_VALUE = 24;

  /**
   * One plan per combination of the dialogue's matrix, in the order the values are written. A run
   * is named {@code name[key=value,...]}; a long or multi-line value shows as {@code key#N}, its
   * 1-based position among the key's values, so names stay short, readable and unique.
   */
  public static List<RunPlan> expand(Dialogue d) {
    return expand(d, Map.of());
  }

  /**
   * As {@link #expand(Dialogue)}, with the command line's variables: a {@code --var} that names
   * a matrix key replaces that key's values (one value, the run named by it). The dialogue's
   * {@code name} is substituted (matrix values, {@code --var}, vars, the environment), and the
   * values of secret variables never show in a run's name: a secret matrix key is named by
   * position ({@code name[password#2]}), a secret substituted into the name is masked.
   */
  public static List<RunPlan> expand(Dialogue d, Map<String, String> cliVars) {
    List<Map<String, String>> combos = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    combos.add(new LinkedHashMap<>());
    labels.add("");
    for (Map.Entry<String, List<String>> axis : d.matrix().entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      List<String> nextLabels = new ArrayList<>();
      String given = cliVars.get(axis.getKey());
      boolean secret = d.secretVars().contains(axis.getKey());
      for (int c = 0; c < combos.size(); c++) {
        List<String> values = given != null ? List.of(given) : axis.getValue();
        for (int i = 0; i < values.size(); i++) {
          Map<String, String> m = new LinkedHashMap<>(combos.get(c));
          m.put(axis.getKey(), values.get(i));
          next.add(m);
          String prefix = labels.get(c).isEmpty() ? "" : labels.get(c) + ",";
          nextLabels.add(prefix + label(axis.getKey(), values.get(i), i + 1, secret));
        }
      }
      combos = next;
      labels = nextLabels;
    }
    List<RunPlan> plans = new ArrayList<>();
    for (int i = 0; i < combos.size(); i++) {
      String base = baseName(d, combos.get(i), cliVars);
      String name = d.matrix().isEmpty() ? base : base + "[" + labels.get(i) + "]";
      plans.add(new RunPlan(name, d, combos.get(i), Map.of()));
    }
    return plans;
  }

  /** The dialogue's name, substituted, with the values of its secret variables masked. */
  private static String baseName(Dialogue d, Map<String, String> matrixValues,
                                 Map<String, String> cliVars) {
    if (!d.name().contains("${")) {
      return d.name();
    }
    Map<String, String> vars = bind(d, matrixValues, cliVars, false);
    String name = Vars.substitute(d.name(), Vars.lookup(vars, System::getenv));
    Secrets secrets = new Secrets();
    for (String s : d.secretVars()) {
      secrets.add(vars.get(s));
    }
    return secrets.mask(name);
  }

  /**
   * A run's variables before any capture. Precedence: {@code --var}, then matrix values, then
   * the dialogue's {@code vars}, each of which may refer to those above it, to matrix values,
   * {@code --var} and the environment.
   *
   * @param strict throw {@link Vars.Unresolved} for a reference without a value (at run time),
   *     rather than leave it as written
   */
  static Map<String, String> bind(Dialogue d, Map<String, String> matrixValues,
                                  Map<String, String> cliVars, boolean strict) {
    Map<String, String> given = new LinkedHashMap<>(matrixValues);
    given.putAll(cliVars);
    Map<String, String> vars = new LinkedHashMap<>(given);
    java.util.function.Function<String, String> lookup = Vars.lookup(vars, System::getenv);
    for (Map.Entry<String, String> e : d.vars().entrySet()) {
      if (!given.containsKey(e.getKey())) {
        vars.put(e.getKey(), strict ? Vars.strict(e.getValue(), lookup)
            : Vars.substitute(e.getValue(), lookup));
      }
    }
    return vars;
  }

  private static String label(String key, String value, int position, boolean secret) {
    boolean plain = !secret && value.length() <= LONGEST_NAMED_VALUE
        && value.chars().allMatch(ch -> ch >= 0x20 && ch != 0x7f && ch != ',' && ch != ']');
    return plain ? key + "=" + value : key + "#" + position;
  }

  /** Plans for every dialogue, matrices expanded. */
  public static List<RunPlan> expandAll(List<Dialogue> dialogues) {
    return expandAll(dialogues, Map.of());
  }

  /** Plans for every dialogue, matrices expanded, with the command line's variables. */
  public static List<RunPlan> expandAll(List<Dialogue> dialogues, Map<String, String> cliVars) {
    List<RunPlan> all = new ArrayList<>();
    for (Dialogue d : dialogues) {
      all.addAll(expand(d, cliVars));
    }
    return all;
  }
}
