package dev.promptly.dsl.inventory;

import dev.promptly.dsl.Problem;
import dev.promptly.dsl.SourcePos;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An Ansible inventory: hosts, groups, their variables. Pure data, no I/O after loading. Groups
 * {@code all} and {@code ungrouped} always exist, as in Ansible.
 */
public final class Inventory {
  /** One host with its variables, group variables inherited (Ansible's precedence). */
  public record Host(String name, Map<String, String> vars) {
    public Host {
      vars = Collections.unmodifiableMap(new LinkedHashMap<>(vars));
    }
  }

  /** A group as written: its own hosts, child groups and variables. */
  static final class Group {
    final String name;
    final Set<String> hosts = new LinkedHashSet<>();
    final Set<String> children = new LinkedHashSet<>();
    final Map<String, String> vars = new LinkedHashMap<>();

    Group(String name) {
      this.name = name;
    }
  }

  private final Path file;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  /** Host names in the order first written; their own variables. */
  private final Map<String, Map<String, String>> hostVars = new LinkedHashMap<>();

  Inventory(Path file) {
    this.file = file;
    group("all");
    group("ungrouped");
  }

  /**
   * Reads an inventory file: YAML when the name ends in {@code .yml}, {@code .yaml} or
   * {@code .json}, or when its first line that is not a comment is a YAML key such as
   * {@code all:}; the INI form otherwise. Returns null after adding problems.
   */
  public static Inventory load(Path file, List<Problem> problems) {
    return InventoryReader.read(file, problems);
  }

  public Path file() {
    return file;
  }

  Group group(String name) {
    return groups.computeIfAbsent(name, Group::new);
  }

  boolean hasGroup(String name) {
    return groups.containsKey(name);
  }

  Map<String, String> host(String name) {
    return hostVars.computeIfAbsent(name, n -> new LinkedHashMap<>());
  }

  /** After reading: hosts in no group but {@code all} are {@code ungrouped}; all holds every host. */
  void seal() {
    Set<String> grouped = new HashSet<>();
    for (Group g : groups.values()) {
      if (!g.name.equals("all") && !g.name.equals("ungrouped")) {
        grouped.addAll(g.hosts);
      }
    }
    for (String h : hostVars.keySet()) {
      if (!grouped.contains(h)) {
        groups.get("ungrouped").hosts.add(h);
      }
    }
    for (Group g : groups.values()) {
      if (!g.name.equals("all") && !isDescendant("all", g.name)) {
        groups.get("all").children.add(g.name);
      }
    }
  }

  private boolean isDescendant(String ancestor, String name) {
    return groups.get(ancestor).children.contains(name);
  }

  /** Every host name, in the order first written. */
  public List<String> hostNames() {
    return List.copyOf(hostVars.keySet());
  }

  /** Every group name. */
  public Set<String> groupNames() {
    return Collections.unmodifiableSet(groups.keySet());
  }

  /**
   * A host with its variables: {@code all}'s, then its groups' from the shallowest to the
   * deepest (a child group overrides its parent; at the same depth, by name), then its own;
   * {@code inventory_hostname} is its name.
   */
  public Host resolve(String name) {
    Map<String, Integer> depth = new HashMap<>();
    depths("all", 0, depth, new HashSet<>());
    List<Group> mine = new ArrayList<>();
    for (Group g : groups.values()) {
      if (hostsOf(g.name).contains(name)) {
        mine.add(g);
      }
    }
    mine.sort(Comparator.<Group>comparingInt(g -> depth.getOrDefault(g.name, 0))
        .thenComparing(g -> g.name));
    Map<String, String> vars = new LinkedHashMap<>();
    for (Group g : mine) {
      vars.putAll(g.vars);
    }
    vars.putAll(hostVars.getOrDefault(name, Map.of()));
    vars.put("inventory_hostname", name);
    return new Host(name, vars);
  }

  private void depths(String group, int d, Map<String, Integer> depth, Set<String> path) {
    if (!path.add(group)) {
      return;
    }
    depth.merge(group, d, Math::max);
    for (String c : groups.get(group).children) {
      if (groups.containsKey(c)) {
        depths(c, d + 1, depth, path);
      }
    }
    path.remove(group);
  }

  /** The hosts of a group, its children's included, in inventory order. */
  Set<String> hostsOf(String group) {
    Set<String> out = new LinkedHashSet<>();
    collect(group, out, new HashSet<>());
    if (group.equals("all")) {
      out.addAll(hostVars.keySet());
    }
    return ordered(out);
  }

  private void collect(String group, Set<String> out, Set<String> seen) {
    Group g = groups.get(group);
    if (g == null || !seen.add(group)) {
      return;
    }
    out.addAll(g.hosts);
    for (String c : g.children) {
      collect(c, out, seen);
    }
  }

  private Set<String> ordered(Set<String> names) {
    Set<String> out = new LinkedHashSet<>();
    for (String h : hostVars.keySet()) {
      if (names.contains(h)) {
        out.add(h);
      }
    }
    return out;
  }

  /**
   * The hosts a pattern names, in inventory order, as Ansible reads it: terms separated by
   * {@code ,} or {@code :} (a group, a host, {@code all}, {@code *} globs, {@code ~regex}); a term
   * with {@code &} keeps only hosts also in it, one with {@code !} removes its hosts. A term
   * that names nothing is a problem at {@code where} (Ansible only warns; a runbook that silently
   * runs on no host is worse).
   */
  public List<String> select(String pattern, SourcePos where, List<Problem> problems) {
    List<String> terms = split(pattern);
    Set<String> union = new LinkedHashSet<>();
    List<Set<String>> and = new ArrayList<>();
    List<Set<String>> not = new ArrayList<>();
    boolean any = false;
    for (String t : terms) {
      String body = t.startsWith("&") || t.startsWith("!") ? t.substring(1) : t;
      Set<String> hosts = term(body, where, problems);
      if (hosts == null) {
        return List.of();
      }
      if (t.startsWith("&")) {
        and.add(hosts);
      } else if (t.startsWith("!")) {
        not.add(hosts);
      } else {
        union.addAll(hosts);
        any = true;
      }
    }
    if (!any) {
      union.addAll(hostVars.keySet());
    }
    for (Set<String> a : and) {
      union.retainAll(a);
    }
    for (Set<String> n : not) {
      union.removeAll(n);
    }
    return List.copyOf(ordered(union));
  }

  private static List<String> split(String pattern) {
    List<String> terms = new ArrayList<>();
    // A ~regex term may hold ':' or ','; it runs to the end of the pattern or the next ','.
    StringBuilder cur = new StringBuilder();
    boolean regex = false;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      boolean start = cur.length() == 0 || (cur.length() == 1 && "&!".indexOf(cur.charAt(0)) >= 0);
      if (start && c == '~') {
        regex = true;
      }
      if (c == ',' || (c == ':' && !regex)) {
        if (!cur.toString().isBlank()) {
          terms.add(cur.toString().trim());
        }
        cur.setLength(0);
        regex = false;
      } else {
        cur.append(c);
      }
    }
    if (!cur.toString().isBlank()) {
      terms.add(cur.toString().trim());
    }
    return terms;
  }

  private Set<String> term(String body, SourcePos where, List<Problem> problems) {
    if (groups.containsKey(body)) {
      return hostsOf(body);
    }
    if (hostVars.containsKey(body)) {
      return Set.of(body);
    }
    Pattern p;
    if (body.startsWith("~")) {
      try {
        p = Pattern.compile(body.substring(1));
      } catch (PatternSyntaxException e) {
        problems.add(new Problem(where, "host pattern '" + body + "': not a regular expression: "
            + e.getDescription()));
        return null;
      }
    } else if (body.contains("*") || body.contains("?")) {
      p = Pattern.compile(glob(body));
    } else {
      problems.add(new Problem(where, "host pattern '" + body + "' names no group or host of "
          + file + " (groups: " + String.join(", ", groups.keySet()) + ")"));
      return null;
    }
    Set<String> out = new LinkedHashSet<>();
    for (Group g : groups.values()) {
      if (p.matcher(g.name).matches()) {
        out.addAll(hostsOf(g.name));
      }
    }
    for (String h : hostVars.keySet()) {
      if (p.matcher(h).matches()) {
        out.add(h);
      }
    }
    return out;
  }

  private static String glob(String g) {
    StringBuilder r = new StringBuilder();
    for (char c : g.toCharArray()) {
      switch (c) {
        case '*' -> r.append(".*");
        case '?' -> r.append('.');
        default -> r.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return r.toString();
  }
}
