package dev.promptly.api;

import dev.promptly.dsl.inventory.Inventory;
import dev.promptly.engine.RunSettings;
import dev.promptly.match.PromptMatcher;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How dialogues are run: concurrency bound, default step timeout, grace period, variables.
 * Setters return {@code this}, as Vert.x options do.
 */
public final class RunOptions {
  /** Default step timeout when neither the step nor the dialogue sets one: 10 s. */
  public static final Duration DEFAULT_TIMEOUT = RunSettings.DEFAULT_TIMEOUT;
  /** Default time between SIGTERM and SIGKILL: 2 s. */
  public static final Duration DEFAULT_GRACE = RunSettings.DEFAULT_GRACE;
  /** Default size, in chars, of the window of unmatched output a regex searches. */
  public static final int DEFAULT_WINDOW = PromptMatcher.DEFAULT_WINDOW;

  private int jobs = Runtime.getRuntime().availableProcessors();
  private Duration timeout = DEFAULT_TIMEOUT;
  private Duration grace = DEFAULT_GRACE;
  private final Map<String, String> vars = new LinkedHashMap<>();
  private int window = DEFAULT_WINDOW;
  private boolean failFast;
  private Inventory inventory;
  private String limit;

  /** Options with the defaults. */
  public RunOptions() {
  }

  /**
   * At most this many children alive at once (default: the number of processors).
   *
   * @param jobs the bound, at least 1
   * @return this
   */
  public RunOptions setJobs(int jobs) {
    if (jobs < 1) {
      throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
    }
    this.jobs = jobs;
    return this;
  }

  /**
   * The concurrency bound.
   *
   * @return the most children alive at once
   */
  public int getJobs() {
    return jobs;
  }

  /**
   * Step timeout used when neither the step nor the dialogue sets one ({@code --timeout}).
   *
   * @param timeout the limit
   * @return this
   */
  public RunOptions setTimeout(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout);
    return this;
  }

  /**
   * The default step timeout.
   *
   * @return the limit
   */
  public Duration getTimeout() {
    return timeout;
  }

  /**
   * Time between SIGTERM and SIGKILL when a child is terminated ({@code --grace}).
   *
   * @param grace the grace period
   * @return this
   */
  public RunOptions setGrace(Duration grace) {
    this.grace = Objects.requireNonNull(grace);
    return this;
  }

  /**
   * The grace period.
   *
   * @return the grace period
   */
  public Duration getGrace() {
    return grace;
  }

  /**
   * A variable for every dialogue; overrides the dialogue's own {@code vars} ({@code --var}).
   *
   * @param name the variable
   * @param value its value
   * @return this
   */
  public RunOptions putVar(String name, String value) {
    vars.put(name, value);
    return this;
  }

  /**
   * The variables put.
   *
   * @return the variables
   */
  public Map<String, String> getVars() {
    return Map.copyOf(vars);
  }

  /**
   * Chars of unmatched output a regex searches (memory per child is about twice this).
   *
   * @param window the window's size in chars
   * @return this
   */
  public RunOptions setWindow(int window) {
    this.window = window;
    return this;
  }

  /**
   * The regex window.
   *
   * @return the window's size in chars
   */
  public int getWindow() {
    return window;
  }

  /**
   * After the first failure, start no new run and terminate the running ones.
   *
   * @param failFast true to stop at the first failure
   * @return this
   */
  public RunOptions setFailFast(boolean failFast) {
    this.failFast = failFast;
    return this;
  }

  /**
   * Whether runs stop at the first failure.
   *
   * @return true when they do
   */
  public boolean isFailFast() {
    return failFast;
  }

  /**
   * The Ansible inventory (YAML or INI) that dialogues with {@code hosts:} select their hosts
   * from, read now.
   *
   * @param file the inventory file
   * @return this
   * @throws IllegalArgumentException listing every {@code FILE:LINE:COLUMN: message} when the
   *     file cannot be read or is not a valid inventory
   */
  public RunOptions setInventory(java.nio.file.Path file) {
    java.util.List<dev.promptly.dsl.Problem> problems = new java.util.ArrayList<>();
    Inventory loaded = Inventory.load(file, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.stream().map(Object::toString)
          .collect(java.util.stream.Collectors.joining("\n")));
    }
    return setInventory(loaded);
  }

  /**
   * The inventory, already read (what the command line uses; {@link #setInventory(java.nio.file.Path)}
   * is the library's way).
   *
   * @param inventory the inventory ({@link Inventory#load}), or null for none
   * @return this
   */
  public RunOptions setInventory(Inventory inventory) {
    this.inventory = inventory;
    return this;
  }

  /**
   * The inventory, if any.
   *
   * @return the inventory or null
   */
  public Inventory getInventory() {
    return inventory;
  }

  /**
   * Narrows every {@code hosts:} selection to the hosts of this pattern ({@code --limit}).
   *
   * @param limit an Ansible host pattern, or null for no limit
   * @return this
   */
  public RunOptions setLimit(String limit) {
    this.limit = limit;
    return this;
  }

  /**
   * The host limit, if any.
   *
   * @return the pattern or null
   */
  public String getLimit() {
    return limit;
  }

  RunSettings toSettings() {
    return new RunSettings(jobs, timeout, grace, vars, window, failFast);
  }
}
