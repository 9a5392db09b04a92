package dev.promptly.process;

/**
 * How a child ended: an exit code, or the signal that killed it.
 *
 * @param code exit code (0-255), or -1 when killed by a signal
 * @param signal signal number, or 0 when it exited
 */
public record ExitStatus(int code, int signal) {
  public static ExitStatus exited(int code) {
    return new ExitStatus(code, 0);
  }

  public static ExitStatus killed(int signal) {
    return new ExitStatus(-1, signal);
  }

  public boolean bySignal() {
    return signal != 0;
  }

  /** "exit 3" or "killed by SIGKILL". */
  @Override
  public String toString() {
    return bySignal() ? "killed by " + Signals.name(signal) : "exit " + code;
  }
}
