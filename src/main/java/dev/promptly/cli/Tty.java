package dev.promptly.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a standard stream is a terminal (the JDK only tells for stdin and stdout together).
 * Read from /proc rather than by calling isatty(3) through JNA: binding a library through JNA
 * before the process layer has set its library path makes JNA fork `ldconfig -p` (20-50 ms of
 * every start).
 */
final class Tty {
  private Tty() {
  }

  static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }
}
