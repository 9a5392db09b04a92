package dev.promptly.dsl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One validated dialogue, as written (strings still hold {@code ${...}}; the engine substitutes
 * them at run time, when captures are known). Immutable.
 *
 * @param name run name (default: file name without extension)
 * @param file the file it came from (or a synthetic path for dialogues built in Java)
 * @param command argv, already split; with {@code shell} a single element run by /bin/sh -c
 * @param shell run {@code command} through /bin/sh -c
 * @param pty run on a pseudo-terminal
 * @param cwd working directory, absolute (relative ones were resolved against the file's folder)
 * @param env added to the inherited environment (values may hold ${...})
 * @param timeout default limit of every expect step; null: the run's default
 * @param vars dialogue variables (values may hold ${...} of earlier vars or env)
 * @param secretVars names of variables whose values are masked everywhere
 * @param matrix one run per combination of these values; empty: one run
 * @param exit expected exit status at the end: 0-255 an exit code, a negative number -N death
 *     by signal N ({@code exit: SIGTERM}); null means any
 * @param quiet keep this run's output out of the live console view (it still reaches reports)
 * @param terminal pty settings
 * @param steps the steps, in order
 * @param pos where the dialogue starts in its file
 * @param ssh run {@code command} on this SSH target (null: a local child)
 * @param hosts one run per inventory host this pattern selects (null: no inventory)
 * @param always branches checked with every expect step's own, before them (Tcl's
 *     {@code expect_before}); a match that does not fail goes on waiting for the step's own
 */
public record Dialogue(String name, Path file, List<String> command, boolean shell, boolean pty,
                       Path cwd, Map<String, String> env, Duration timeout,
                       Map<String, String> vars, Set<String> secretVars,
                       Map<String, List<String>> matrix, Integer exit, boolean quiet,
                       Terminal terminal,
                       List<Step> steps, SourcePos pos, Ssh ssh, Hosts hosts,
                       List<Branch> always) {
  /** A local dialogue (no {@code ssh:}, no {@code hosts:}). */
  public Dialogue(String name, Path file, List<String> command, boolean shell, boolean pty,
                  Path cwd, Map<String, String> env, Duration timeout,
                  Map<String, String> vars, Set<String> secretVars,
                  Map<String, List<String>> matrix, Integer exit, boolean quiet,
                  Terminal terminal, List<Step> steps, SourcePos pos) {
    this(name, file, command, shell, pty, cwd, env, timeout, vars, secretVars, matrix, exit, quiet,
        terminal, steps, pos, null, null, List.of());
  }

  /** A dialogue without {@code always:} branches. */
  public Dialogue(String name, Path file, List<String> command, boolean shell, boolean pty,
                  Path cwd, Map<String, String> env, Duration timeout,
                  Map<String, String> vars, Set<String> secretVars,
                  Map<String, List<String>> matrix, Integer exit, boolean quiet,
                  Terminal terminal, List<Step> steps, SourcePos pos, Ssh ssh, Hosts hosts) {
    this(name, file, command, shell, pty, cwd, env, timeout, vars, secretVars, matrix, exit, quiet,
        terminal, steps, pos, ssh, hosts, List.of());
  }

  /**
   * An SSH target as written: {@code target} the string form ({@code user@host:port}) or null,
   * {@code fields} the map form's keys (host, port, user, identity, password, known-hosts,
   * host-key-check); values may hold ${...}, substituted when the run starts.
   */
  public record Ssh(String target, Map<String, String> fields, SourcePos pos) {
    public Ssh {
      fields = Map.copyOf(fields);
    }
  }

  /** {@code hosts: PATTERN} and where it is written. */
  public record Hosts(String pattern, SourcePos pos) {
  }

  public Dialogue {
    command = List.copyOf(command);
    env = Map.copyOf(env);
    vars = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(vars));
    secretVars = Set.copyOf(secretVars);
    matrix = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(matrix));
    steps = List.copyOf(steps);
    always = List.copyOf(always);
  }

  /**
   * Pseudo-terminal settings.
   *
   * @param rows window rows
   * @param columns window columns; wide by default so a long command line does not wrap
   * @param echo the terminal echoes what is sent (it is then in the output, and matchable)
   * @param stripAnsi remove ANSI escape sequences before matching (pty or not)
   * @param normalizeCrLf on a pty, match the terminal's {@code "\r\n"} as {@code "\n"}, as a
   *     dialogue written for pipes expects ({@code crlf: keep} turns this off)
   */
  public record Terminal(int rows, int columns, boolean echo, boolean stripAnsi,
                         boolean normalizeCrLf) {
    public static final int DEFAULT_ROWS = 24;
    public static final int DEFAULT_COLUMNS = 500;

    /** With {@code "\r\n"} normalised, the default. */
    public Terminal(int rows, int columns, boolean echo, boolean stripAnsi) {
      this(rows, columns, echo, stripAnsi, true);
    }

    public static Terminal defaults() {
      return new Terminal(DEFAULT_ROWS, DEFAULT_COLUMNS, true, false, true);
    }
  }
}
