package dev.promptly.api;

import dev.promptly.process.ExitStatus;
import dev.promptly.process.Signals;

/**
 * How a child ended: an exit code, or the signal that killed it.
 *
 * @param code the exit code (0-255), or -1 when a signal killed the child
 * @param signal the signal's number ({@code 9} for SIGKILL), or 0 when the child exited
 */
public record Exit(int code, int signal) {
  static Exit of(ExitStatus status) {
    return new Exit(status.code(), status.signal());
  }

  /**
   * Whether a signal ended the child.
   *
   * @return true if killed by a signal
   */
  public boolean bySignal() {
    return signal != 0;
  }

  /**
   * Whether the child exited with status 0.
   *
   * @return true on a clean exit
   */
  public boolean success() {
    return signal == 0 && code == 0;
  }

  /**
   * The signal's name.
   *
   * @return {@code "SIGTERM"} and the like, or null when the child exited
   */
  public String signalName() {
    return bySignal() ? Signals.name(signal) : null;
  }

  /**
   * As the CLI shows it.
   *
   * @return {@code "exit 3"} or {@code "killed by SIGKILL"}
   */
  @Override
  public String toString() {
    return bySignal() ? "killed by " + Signals.name(signal) : "exit " + code;
  }
}
