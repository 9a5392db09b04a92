package dev.promptly.api;

import dev.promptly.dsl.Branch;
import dev.promptly.dsl.SourcePos;
import dev.promptly.dsl.Step;
import dev.promptly.process.Signals;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a dialogue in Java: the same model a YAML file loads into, so
 * {@link Promptly#run(List, RunOptions)} plays it through the same interpreter
 * with the same results and reports. Each method mirrors a key of the dialogue language.
 *
 * <pre>{@code
 * Dialogue echo = DialogueBuilder.named("echo")
 *     .cwd(Path.of("src/test/children"))
 *     .command("python3", "echo.py")
 *     .matrix("text", "one", "two")
 *     .expect("Введите текст: ")
 *     .sendLine("${text}")
 *     .expect(Expectation.regex("Вы ввели (?<said>\\w+)"))
 *     .expect(when("Password:").sendLine("${env:PASSWORD}").secret(),
 *             when(Expectation.regex("\\(yes/no\\)\\?")).sendLine("yes").again(),
 *             when(Expectation.timeout()).fail("no password prompt"))
 *     .closeInput()
 *     .expect(Expectation.eof())
 *     .build();
 * }</pre>
 *
 * <p>As in YAML, strings may hold {@code ${name}} and {@code ${env:NAME}}, substituted at run
 * time; a value substituted into a regex is matched literally. Unlike YAML, send texts are sent
 * exactly as the Java string holds them (write {@code "\u0004"}, not {@code "\\x04"}). Where a
 * YAML step writes {@code expect: ...} and {@code sendline: ...} together, the builder writes
 * {@code expect(when(...).sendLine(...))}; {@code expect(...).sendLine(...)} makes two steps.
 *
 * <p>Failure messages place a step as {@code Java:<name>} (there is no file line).
 */
public final class DialogueBuilder {
  private final String name;
  private List<String> command;
  private boolean shell;
  private boolean pty;
  private Path cwd;
  private final Map<String, String> env = new LinkedHashMap<>();
  private Duration timeout;
  private final Map<String, String> vars = new LinkedHashMap<>();
  private final Set<String> secretVars = new LinkedHashSet<>();
  private final Map<String, List<String>> matrix = new LinkedHashMap<>();
  private Integer exit = 0;
  private boolean quiet;
  private int rows = dev.promptly.dsl.Dialogue.Terminal.DEFAULT_ROWS;
  private int columns = dev.promptly.dsl.Dialogue.Terminal.DEFAULT_COLUMNS;
  private boolean echo = true;
  private boolean stripAnsi;
  private final List<Step> steps = new ArrayList<>();

  private DialogueBuilder(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a dialogue needs a name");
    }
    this.name = name;
  }

  /**
   * A new dialogue.
   *
   * @param name its run name, as in reports ({@code echo}; matrix runs add {@code [k=v]})
   * @return the builder
   */
  public static DialogueBuilder named(String name) {
    return new DialogueBuilder(name);
  }

  /**
   * A branch of a multi-branch {@link #expect(When...)} step that waits for literal text.
   *
   * @param literal the text
   * @return the branch, to add what happens after its match
   */
  public static When when(String literal) {
    return new When(Expectation.literal(literal));
  }

  /**
   * A branch of a multi-branch {@link #expect(When...)} step.
   *
   * @param pattern what it waits for
   * @return the branch, to add what happens after its match
   */
  public static When when(Expectation pattern) {
    return new When(pattern);
  }

  /**
   * The program and its arguments ({@code command: [python3, echo.py]}).
   *
   * @param argv the argv
   * @return this
   */
  public DialogueBuilder command(String... argv) {
    return command(Arrays.asList(argv));
  }

  /**
   * The program and its arguments.
   *
   * @param argv the argv
   * @return this
   */
  public DialogueBuilder command(List<String> argv) {
    if (argv.isEmpty() || argv.get(0).isEmpty()) {
      throw new IllegalArgumentException("the command is empty");
    }
    this.command = List.copyOf(argv);
    this.shell = false;
    return this;
  }

  /**
   * A command line run by {@code /bin/sh -c} ({@code shell: true}).
   *
   * @param line the shell command line
   * @return this
   */
  public DialogueBuilder shellCommand(String line) {
    if (line.isBlank()) {
      throw new IllegalArgumentException("the command is empty");
    }
    this.command = List.of(line);
    this.shell = true;
    return this;
  }

  /**
   * Run the child on a pseudo-terminal ({@code pty: true}).
   *
   * @param pty true for a pseudo-terminal
   * @return this
   */
  public DialogueBuilder pty(boolean pty) {
    this.pty = pty;
    return this;
  }

  /**
   * The working directory (default: the current directory; a relative one is resolved against
   * it).
   *
   * @param cwd the directory
   * @return this
   */
  public DialogueBuilder cwd(Path cwd) {
    this.cwd = cwd;
    return this;
  }

  /**
   * A variable added to the child's environment ({@code env:}).
   *
   * @param name the variable
   * @param value its value (may hold {@code ${...}})
   * @return this
   */
  public DialogueBuilder env(String name, String value) {
    env.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
    return this;
  }

  /**
   * The default limit of every expect step ({@code timeout:}).
   *
   * @param timeout the limit
   * @return this
   */
  public DialogueBuilder timeout(Duration timeout) {
    this.timeout = timeout;
    return this;
  }

  /**
   * A dialogue variable ({@code vars:}), for {@code ${name}} in any string.
   *
   * @param name the variable
   * @param value its value (may hold {@code ${...}} of earlier variables)
   * @return this
   */
  public DialogueBuilder var(String name, String value) {
    vars.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
    return this;
  }

  /**
   * Variables whose values are masked in logs, transcripts and reports ({@code secret:}).
   *
   * @param names the variables (dialogue variables, matrix keys or captures)
   * @return this
   */
  public DialogueBuilder secret(String... names) {
    secretVars.addAll(Arrays.asList(names));
    return this;
  }

  /**
   * A matrix axis ({@code matrix: {key: [values]}}): one run per combination of all axes.
   *
   * @param key the variable
   * @param values its values, in run order
   * @return this
   */
  public DialogueBuilder matrix(String key, String... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("matrix '" + key + "' has no values");
    }
    matrix.put(Objects.requireNonNull(key), List.of(values));
    return this;
  }

  /**
   * The expected exit status (default 0).
   *
   * @param code 0-255
   * @return this
   */
  public DialogueBuilder exit(int code) {
    if (code < 0 || code > 255) {
      throw new IllegalArgumentException("an exit status is 0-255, got " + code);
    }
    this.exit = code;
    return this;
  }

  /**
   * Any exit status passes ({@code exit: any}).
   *
   * @return this
   */
  public DialogueBuilder exitAny() {
    this.exit = null;
    return this;
  }

  /**
   * The child is expected to die of this signal ({@code exit: SIGTERM}).
   *
   * @param signal {@code "TERM"}, {@code "SIGKILL"}, ...
   * @return this
   */
  public DialogueBuilder exitSignal(String signal) {
    this.exit = -signalNumber(signal);
    return this;
  }

  /**
   * Keep the run's output out of the live console view ({@code quiet: true}).
   *
   * @param quiet true to keep it out
   * @return this
   */
  public DialogueBuilder quiet(boolean quiet) {
    this.quiet = quiet;
    return this;
  }

  /**
   * The terminal's size ({@code size: 24x80}, pty only).
   *
   * @param rows rows
   * @param columns columns
   * @return this
   */
  public DialogueBuilder size(int rows, int columns) {
    if (rows < 1 || columns < 1) {
      throw new IllegalArgumentException("a terminal needs at least 1x1");
    }
    this.rows = rows;
    this.columns = columns;
    return this;
  }

  /**
   * Terminal echo ({@code echo: false}, pty only).
   *
   * @param echo false to turn it off
   * @return this
   */
  public DialogueBuilder echo(boolean echo) {
    this.echo = echo;
    return this;
  }

  /**
   * Remove ANSI sequences before matching ({@code strip-ansi: true}).
   *
   * @param strip true to strip them
   * @return this
   */
  public DialogueBuilder stripAnsi(boolean strip) {
    this.stripAnsi = strip;
    return this;
  }

  /**
   * A step that waits for literal text ({@code - expect: "Name: "}).
   *
   * @param literal the text
   * @return this
   */
  public DialogueBuilder expect(String literal) {
    return expect((Duration) null, Expectation.literal(literal));
  }

  /**
   * A step that waits for the earliest of {@code patterns}, doing nothing after the match.
   *
   * @param patterns one or more patterns
   * @return this
   */
  public DialogueBuilder expect(Expectation... patterns) {
    return expect((Duration) null, patterns);
  }

  /**
   * A step with its own limit that waits for the earliest of {@code patterns}.
   *
   * @param timeout the step's limit, or null for the dialogue's
   * @param patterns one or more patterns
   * @return this
   */
  public DialogueBuilder expect(Duration timeout, Expectation... patterns) {
    When[] branches = Arrays.stream(patterns).map(When::new).toArray(When[]::new);
    return expect(timeout, branches);
  }

  /**
   * A step with branches: the earliest match wins and its branch says what follows.
   *
   * @param branches one or more branches, from {@link #when(Expectation)}
   * @return this
   */
  public DialogueBuilder expect(When... branches) {
    return expect((Duration) null, branches);
  }

  /**
   * A step with branches and its own limit.
   *
   * @param timeout the step's limit, or null for the dialogue's
   * @param branches one or more branches
   * @return this
   */
  public DialogueBuilder expect(Duration timeout, When... branches) {
    if (branches.length == 0) {
      throw new IllegalArgumentException("expect lists no branches");
    }
    SourcePos pos = pos();
    List<Branch> list = new ArrayList<>();
    for (When w : branches) {
      list.add(w.toBranch(pos));
    }
    steps.add(new Step.Expect(list, timeout, pos));
    return this;
  }

  /**
   * A step that sends text as is ({@code - send: ...}).
   *
   * @param text the text (may hold {@code ${...}})
   * @return this
   */
  public DialogueBuilder send(String text) {
    steps.add(new Step.Send(new Step.Send.Text(text, false, false), pos()));
    return this;
  }

  /**
   * A step that sends a line ({@code - sendline: ...}).
   *
   * @param line the line, without its newline
   * @return this
   */
  public DialogueBuilder sendLine(String line) {
    steps.add(new Step.Send(new Step.Send.Text(line, true, false), pos()));
    return this;
  }

  /**
   * A step that sends a line never shown in logs, transcripts or reports
   * ({@code sendline: ..., secret: true}).
   *
   * @param line the line, without its newline
   * @return this
   */
  public DialogueBuilder sendSecretLine(String line) {
    steps.add(new Step.Send(new Step.Send.Text(line, true, true), pos()));
    return this;
  }

  /**
   * A step that sends a signal to the child's process group ({@code - signal: INT}).
   *
   * @param signal {@code "INT"}, {@code "SIGTERM"}, ...
   * @return this
   */
  public DialogueBuilder signal(String signal) {
    steps.add(new Step.Signal(signalNumber(signal), pos()));
    return this;
  }

  /**
   * A step that ends the child's input ({@code - close: stdin}).
   *
   * @return this
   */
  public DialogueBuilder closeInput() {
    steps.add(new Step.Close(pos()));
    return this;
  }

  /**
   * The dialogue, ready for {@link Promptly#run(List, RunOptions)}.
   *
   * @return the dialogue
   * @throws IllegalStateException if no command was set
   */
  public Dialogue build() {
    if (command == null) {
      throw new IllegalStateException("dialogue '" + name + "' has no command");
    }
    Path dir = Path.of("").toAbsolutePath();
    Path wd = cwd == null ? dir : dir.resolve(cwd).normalize();
    return new Dialogue(new dev.promptly.dsl.Dialogue(name, file(), command, shell, pty, wd,
        env, timeout, vars, secretVars, matrix, exit, quiet,
        new dev.promptly.dsl.Dialogue.Terminal(rows, columns, echo, stripAnsi), steps,
        SourcePos.unknown(file())));
  }

  private Path file() {
    return Path.of("Java:" + name.replace('/', '_'));
  }

  private SourcePos pos() {
    return SourcePos.unknown(file());
  }

  private static int signalNumber(String signal) {
    int n = Signals.number(signal);
    if (n < 0) {
      throw new IllegalArgumentException("unknown signal '" + signal
          + "' (use TERM, INT, HUP, KILL, ...)");
    }
    return n;
  }

  /**
   * One branch of an expect step: a pattern and what to do after its match. Immutable; each
   * method returns a new branch.
   */
  public static final class When {
    private final Expectation pattern;
    private final String send;
    private final boolean newline;
    private final boolean secret;
    private final boolean again;
    private final String fail;

    private When(Expectation pattern) {
      this(Objects.requireNonNull(pattern, "pattern"), null, false, false, false, null);
    }

    private When(Expectation pattern, String send, boolean newline, boolean secret, boolean again,
                 String fail) {
      this.pattern = pattern;
      this.send = send;
      this.newline = newline;
      this.secret = secret;
      this.again = again;
      this.fail = fail;
    }

    /**
     * After the match, send this text as is.
     *
     * @param text the text (may hold {@code ${...}}, including the match's named groups)
     * @return the branch
     */
    public When send(String text) {
      return new When(pattern, Objects.requireNonNull(text), false, secret, again, fail);
    }

    /**
     * After the match, send this line.
     *
     * @param line the line, without its newline
     * @return the branch
     */
    public When sendLine(String line) {
      return new When(pattern, Objects.requireNonNull(line), true, secret, again, fail);
    }

    /**
     * What this branch sends is never shown in logs, transcripts or reports.
     *
     * @return the branch
     */
    public When secret() {
      return new When(pattern, send, newline, true, again, fail);
    }

    /**
     * After the match (and send), run the same step again (Tcl's {@code exp_continue}).
     *
     * @return the branch
     */
    public When again() {
      if (pattern.kind() == Expectation.Kind.EOF) {
        throw new IllegalArgumentException("'again' after eof would match eof forever");
      }
      return new When(pattern, send, newline, secret, true, fail);
    }

    /**
     * A match of this branch fails the run with this text.
     *
     * @param message why (may hold {@code ${...}})
     * @return the branch
     */
    public When fail(String message) {
      return new When(pattern, send, newline, secret, again, Objects.requireNonNull(message));
    }

    Branch toBranch(SourcePos pos) {
      if (fail != null && (send != null || again)) {
        throw new IllegalArgumentException("a branch that fails neither sends nor matches again");
      }
      if (secret && send == null) {
        throw new IllegalArgumentException("'secret' needs send or sendLine");
      }
      Step.Send.Text text = send == null ? null : new Step.Send.Text(send, newline, secret);
      return new Branch(pattern.toDsl(), text, again, fail, pos);
    }
  }
}
