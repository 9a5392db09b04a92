package dev.promptly.cli;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/** Whether a standard stream is a terminal (the JDK only tells for stdin and stdout together). */
final class Tty {
  static {
    Native.register(Platform.C_LIBRARY_NAME);
  }

  private Tty() {
  }

  private static native int isatty(int fd);

  static boolean isTerminal(int fd) {
    try {
      return isatty(fd) == 1;
    } catch (Throwable e) {
      return false;
    }
  }
}
