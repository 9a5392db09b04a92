package dev.promptly.cli;

/** Whether a standard stream is a terminal (see {@link dev.promptly.terminal.PersonTerminal}). */
final class Tty {
  private Tty() {
  }

  static boolean isTerminal(int fd) {
    return dev.promptly.terminal.PersonTerminal.isTerminal(fd);
  }
}
