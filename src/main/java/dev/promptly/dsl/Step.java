package dev.promptly.dsl;

import java.nio.file.Path;
import java.util.Map;

import java.time.Duration;
import java.util.List;

/** One step of a dialogue. */
public sealed interface Step {
  SourcePos pos();

  /**
   * Wait for the earliest match among the branches, then do what that branch says.
   *
   * @param timeout limit of the whole step; null: the dialogue's default
   */
  record Expect(List<Branch> branches, Duration timeout, SourcePos pos) implements Step {
    public Expect {
      branches = List.copyOf(branches);
    }
  }

  /** Send text (escapes already decoded; ${...} still to substitute). */
  record Send(Send.Text text, SourcePos pos) implements Step {
    /** Text to send, with or without a newline after it, possibly secret. */
    public record Text(String text, boolean newline, boolean secret) {
    }
  }

  /** Send a signal to the child's process group (as pexpect's kill(), the notes' terminate()). */
  record Signal(int signal, SourcePos pos) implements Step {
  }

  /** End of input: EOF on a pipe, the terminal's EOF character on a pty. */
  record Close(SourcePos pos) implements Step {
  }

  /**
   * The steps of another file ({@code include: FILE}), with its parameters: the included file's
   * {@code vars:} defaults overridden by the including step's {@code vars:}. They are set when
   * the include starts (values substituted then) and put back as they were when it ends;
   * captures made inside stay.
   *
   * @param file the included file, absolute
   */
  record Include(Path file, Map<String, String> vars, List<Step> steps, SourcePos pos)
      implements Step {
    public Include {
      vars = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(vars));
      steps = List.copyOf(steps);
    }
  }

  /** {@code sleep: DURATION}: wait, the child's output still being read meanwhile. */
  record Sleep(Duration duration, SourcePos pos) implements Step {
  }

  /**
   * {@code set: {name: value}}: variables from then on (values substituted when the step
   * comes, in order, so one may use another set before it).
   */
  record SetVars(Map<String, String> values, SourcePos pos) implements Step {
    public SetVars {
      values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }
  }

  /** {@code log: text}: a line for the live view and the transcript's timeline. */
  record Log(String text, SourcePos pos) implements Step {
  }

  /**
   * {@code retry: {times: N, delay: D}}: when {@code step} fails, it is played again after
   * {@code delay}, up to {@code times} more times.
   */
  record Retry(int times, Duration delay, Step step) implements Step {
    /** More retries than this are refused: a runbook that needs them needs a loop elsewhere. */
    public static final int MAX_TIMES = 100;

    @Override
    public SourcePos pos() {
      return step.pos();
    }
  }

  /** {@code step} is played only when {@code condition} holds as its turn comes. */
  record When(Condition condition, Step step) implements Step {
    @Override
    public SourcePos pos() {
      return step.pos();
    }
  }

  /**
   * Hands the child's terminal to the person at promptly's terminal until they type
   * {@code escape}, the child's output matches {@code until}, or what they type matches
   * {@code inputUntil}; {@code onOutput} branches act on the child's output meanwhile.
   *
   * @param escape the key that hands the terminal back, or -1 for none
   * @param until null: none
   * @param inputUntil null: none
   */
  record Interact(int escape, Branch.Pattern until, Branch.Pattern inputUntil,
                  List<Branch> onOutput, SourcePos pos) implements Step {
    /** ^] (0x1d), as telnet and Tcl's interact. */
    public static final int DEFAULT_ESCAPE = 0x1d;

    public Interact {
      onOutput = List.copyOf(onOutput);
    }
  }
}
