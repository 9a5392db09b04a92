package dev.promptly.api;

import dev.promptly.match.PromptMatcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What child to start and how: argv, pipes or a pseudo-terminal, environment, working
 * directory, and the session's defaults. Setters return {@code this}, as Vert.x options do.
 *
 * <pre>{@code
 * new ChildOptions("python3", "-i").setPty(true).putEnv("LANG", "C.UTF-8")
 * }</pre>
 */
public final class ChildOptions {
  /** Default limit of an expect that sets none: 10 s. */
  public static final Duration DEFAULT_TIMEOUT = RunOptions.DEFAULT_TIMEOUT;
  /** Default time between SIGTERM and SIGKILL when a session is closed: 2 s. */
  public static final Duration DEFAULT_GRACE = RunOptions.DEFAULT_GRACE;
  /** Default terminal rows (pty only). */
  public static final int DEFAULT_ROWS = 24;
  /** Default terminal columns (pty only); wide, so that programs do not wrap lines. */
  public static final int DEFAULT_COLUMNS = 500;
  /** Default prefix of the event bus addresses: {@code promptly.session.<id>}. */
  public static final String DEFAULT_ADDRESS_PREFIX = "promptly.session.";

  private List<String> command = List.of();
  private boolean pty;
  private Path cwd;
  private final Map<String, String> env = new LinkedHashMap<>();
  private boolean inheritEnv = true;
  private int rows = DEFAULT_ROWS;
  private int columns = DEFAULT_COLUMNS;
  private boolean echo = true;
  private boolean stripAnsi;
  private Duration timeout = DEFAULT_TIMEOUT;
  private Duration grace = DEFAULT_GRACE;
  private int window = PromptMatcher.DEFAULT_WINDOW;
  private String name;
  private String address;
  private boolean publishEvents;
  private Duration delayBeforeSend = Duration.ZERO;

  /** Options with no command yet: set one with {@link #setCommand}. */
  public ChildOptions() {
  }

  /**
   * Options for this argv, over pipes.
   *
   * @param argv the program and its arguments; the program is looked up on {@code PATH} unless
   *     it holds a {@code /}
   */
  public ChildOptions(String... argv) {
    setCommand(Arrays.asList(argv));
  }

  /**
   * The program and its arguments. No shell is involved: run {@code List.of("sh", "-c", line)}
   * for one.
   *
   * @param argv the argv, not empty
   * @return this
   */
  public ChildOptions setCommand(List<String> argv) {
    if (argv.isEmpty() || argv.get(0).isEmpty()) {
      throw new IllegalArgumentException("the command is empty");
    }
    this.command = List.copyOf(argv);
    return this;
  }

  /**
   * The program and its arguments.
   *
   * @return the argv
   */
  public List<String> getCommand() {
    return command;
  }

  /**
   * Run the child on a new pseudo-terminal (needed by {@code ssh-keygen}, {@code passwd}, most
   * REPLs) instead of pipes. Stdout and stderr arrive merged either way.
   *
   * @param pty true for a pseudo-terminal
   * @return this
   */
  public ChildOptions setPty(boolean pty) {
    this.pty = pty;
    return this;
  }

  /**
   * Whether the child runs on a pseudo-terminal.
   *
   * @return true for a pseudo-terminal
   */
  public boolean isPty() {
    return pty;
  }

  /**
   * The working directory (default: the current one). A relative program such as
   * {@code ./install.sh} is looked up from it.
   *
   * @param cwd the directory
   * @return this
   */
  public ChildOptions setCwd(Path cwd) {
    this.cwd = cwd;
    return this;
  }

  /**
   * The working directory.
   *
   * @return the directory, absolute
   */
  public Path getCwd() {
    return (cwd == null ? Path.of("") : cwd).toAbsolutePath().normalize();
  }

  /**
   * Adds a variable to the child's environment (over the inherited one).
   *
   * @param name the variable's name
   * @param value its value
   * @return this
   */
  public ChildOptions putEnv(String name, String value) {
    env.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
    return this;
  }

  /**
   * Whether the child starts from this process's environment (default) or from nothing but
   * the variables put with {@link #putEnv}.
   *
   * @param inherit false for a clean environment
   * @return this
   */
  public ChildOptions setInheritEnv(boolean inherit) {
    this.inheritEnv = inherit;
    return this;
  }

  /**
   * The child's whole environment, as it will be started.
   *
   * @return the environment
   */
  public Map<String, String> getEnv() {
    Map<String, String> all = new LinkedHashMap<>(inheritEnv ? System.getenv() : Map.of());
    all.putAll(env);
    if (pty) {
      all.putIfAbsent("TERM", "dumb");
    }
    return all;
  }

  /**
   * The terminal's size (pty only).
   *
   * @param rows rows, at least 1
   * @param columns columns, at least 1
   * @return this
   */
  public ChildOptions setSize(int rows, int columns) {
    if (rows < 1 || columns < 1) {
      throw new IllegalArgumentException("a terminal needs at least 1x1, got " + rows + "x"
          + columns);
    }
    this.rows = rows;
    this.columns = columns;
    return this;
  }

  /**
   * The terminal's rows.
   *
   * @return the rows
   */
  public int getRows() {
    return rows;
  }

  /**
   * The terminal's columns.
   *
   * @return the columns
   */
  public int getColumns() {
    return columns;
  }

  /**
   * Whether the terminal echoes what is sent (pty only; default true, as a terminal does).
   *
   * @param echo false to turn echo off
   * @return this
   */
  public ChildOptions setEcho(boolean echo) {
    this.echo = echo;
    return this;
  }

  /**
   * Whether the terminal echoes input.
   *
   * @return true when it echoes
   */
  public boolean isEcho() {
    return echo;
  }

  /**
   * Remove ANSI escape sequences (colours, cursor moves, titles) before matching.
   *
   * @param strip true to strip them
   * @return this
   */
  public ChildOptions setStripAnsi(boolean strip) {
    this.stripAnsi = strip;
    return this;
  }

  /**
   * Whether ANSI sequences are removed before matching.
   *
   * @return true when they are
   */
  public boolean isStripAnsi() {
    return stripAnsi;
  }

  /**
   * The limit of an expect that sets none; the blocking facade also waits this long for a
   * send, a close or the exit.
   *
   * @param timeout the limit
   * @return this
   */
  public ChildOptions setTimeout(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout);
    return this;
  }

  /**
   * The default expect limit.
   *
   * @return the limit
   */
  public Duration getTimeout() {
    return timeout;
  }

  /**
   * Time between SIGTERM and SIGKILL when the session is closed.
   *
   * @param grace the grace period
   * @return this
   */
  public ChildOptions setGrace(Duration grace) {
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
   * Chars of unmatched output a regex searches (memory per child is about twice this).
   *
   * @param window the window's size in chars
   * @return this
   */
  public ChildOptions setWindow(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1, got " + window);
    }
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
   * The session's name in messages and events (default: the program's file name).
   *
   * @param name the name
   * @return this
   */
  public ChildOptions setName(String name) {
    this.name = name;
    return this;
  }

  /**
   * The session's name.
   *
   * @return the name given, or the program's file name
   */
  public String getName() {
    if (name != null) {
      return name;
    }
    if (command.isEmpty()) {
      return "session";
    }
    String p = command.get(0);
    return p.substring(p.lastIndexOf('/') + 1);
  }

  /**
   * The event bus address prefix of the session's events, when they are published
   * ({@link #setPublishEvents}; default {@code promptly.session.<id>}, the id unique across
   * JVMs): matches go to {@code <address>.match}, output to {@code <address>.output}, the exit to
   * {@code <address>.exit}. Setting an address turns publishing on.
   *
   * @param address the prefix, or null for the default
   * @return this
   */
  public ChildOptions setAddress(String address) {
    this.address = address;
    if (address != null) {
      this.publishEvents = true;
    }
    return this;
  }

  /**
   * The address prefix set, if any.
   *
   * @return the prefix, or null for {@code promptly.session.<id>}
   */
  public String getAddress() {
    return address;
  }

  /**
   * Whether matches, output and the exit are also published on the event bus (default false:
   * on a clustered Vert.x a publish leaves the machine, and output can hold what should not).
   *
   * @param publish false to publish nothing
   * @return this
   */
  public ChildOptions setPublishEvents(boolean publish) {
    this.publishEvents = publish;
    return this;
  }

  /**
   * Whether events are published on the event bus.
   *
   * @return true when they are
   */
  public boolean isPublishEvents() {
    return publishEvents;
  }

  /**
   * A pause before each send (pexpect's {@code delaybeforesend}; default none): for programs
   * that clear or flush their input just after printing a prompt ({@code passwd}, some
   * {@code ssh} password prompts), so an answer sent at once would be lost. Sends keep their
   * order.
   *
   * @param delay the pause, zero for none
   * @return this
   */
  public ChildOptions setDelayBeforeSend(Duration delay) {
    if (Objects.requireNonNull(delay, "delay").isNegative()) {
      throw new IllegalArgumentException("a delay cannot be negative: " + delay);
    }
    this.delayBeforeSend = delay;
    return this;
  }

  /**
   * The pause before each send.
   *
   * @return the delay, zero for none
   */
  public Duration getDelayBeforeSend() {
    return delayBeforeSend;
  }

  ChildOptions copy() {
    ChildOptions c = new ChildOptions();
    c.command = command;
    c.pty = pty;
    c.cwd = cwd;
    c.env.putAll(env);
    c.inheritEnv = inheritEnv;
    c.rows = rows;
    c.columns = columns;
    c.echo = echo;
    c.stripAnsi = stripAnsi;
    c.timeout = timeout;
    c.grace = grace;
    c.window = window;
    c.name = name;
    c.address = address;
    c.publishEvents = publishEvents;
    c.delayBeforeSend = delayBeforeSend;
    return c;
  }
}
