package dev.promptly.terminal;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The terminal of the person running promptly: whether there is one, raw mode (with stty, so the
 * setting is the terminal's own and any other program sees it too), its size, window-size
 * changes, the keys typed and the screen to write to.
 *
 * <p>Keys are read by one daemon thread for the life of the process, started on first use and
 * handed to whoever holds the keyboard now: a second reader would steal keys from the first.
 */
public final class PersonTerminal {
  private static final Object LOCK = new Object();
  private static volatile Consumer<byte[]> keys;
  private static Thread reader; // guarded by LOCK
  private static final OutputStream SCREEN = new FileOutputStream(FileDescriptor.out);

  private PersonTerminal() {
  }

  /**
   * Whether a standard stream is a terminal (the JDK only tells for stdin and stdout together).
   * Read from /proc rather than by calling isatty(3) through JNA: binding a library through JNA
   * before the process layer has set its library path makes JNA fork `ldconfig -p` (20-50 ms of
   * every start).
   */
  public static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /** Raw mode until closed (keys as typed, no echo, no signals from ^C: they go to the child). */
  public static AutoCloseable raw() throws IOException {
    String saved = stty("-g").strip();
    stty("raw", "-echo");
    Thread restore = new Thread(() -> restore(saved), "promptly-tty-restore");
    Runtime.getRuntime().addShutdownHook(restore);
    return () -> {
      restore(saved);
      try {
        Runtime.getRuntime().removeShutdownHook(restore);
      } catch (IllegalStateException e) {
        // Shutting down: the hook restores (again) harmlessly.
      }
    };
  }

  private static void restore(String saved) {
    try {
      stty(saved);
    } catch (IOException e) {
      // The terminal is gone: nothing to restore.
    }
  }

  /** {rows, columns} of the terminal, or null when it cannot be told. */
  public static int[] size() {
    try {
      String[] rc = stty("size").strip().split("\\s+");
      int rows = Integer.parseInt(rc[0]);
      int columns = Integer.parseInt(rc[1]);
      return rows > 0 && columns > 0 ? new int[] {rows, columns} : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Calls {@code action} on each window-size change (SIGWINCH) until the returned handle is
   * closed. sun.misc.Signal is the only way a Java program sees a signal.
   */
  @SuppressWarnings("sunapi")
  public static AutoCloseable onResize(Runnable action) {
    try {
      sun.misc.Signal winch = new sun.misc.Signal("WINCH");
      sun.misc.SignalHandler before = sun.misc.Signal.handle(winch, s -> action.run());
      return () -> sun.misc.Signal.handle(winch, before);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      return () -> { };
    }
  }

  /**
   * Hands the keys typed from now on to {@code handler} (on the reader thread), or drops them
   * when null. End of input (the terminal closed) is an empty array.
   */
  public static void keys(Consumer<byte[]> handler) {
    keys = handler;
    synchronized (LOCK) {
      if (handler != null && reader == null) {
        reader = new Thread(PersonTerminal::read, "promptly-keys");
        reader.setDaemon(true);
        reader.start();
      }
    }
  }

  private static void read() {
    InputStream in = new FileInputStream(FileDescriptor.in);
    byte[] buf = new byte[4096];
    while (true) {
      int n;
      try {
        n = in.read(buf);
      } catch (IOException e) {
        n = -1;
      }
      Consumer<byte[]> k = keys;
      if (n < 0) {
        if (k != null) {
          k.accept(new byte[0]);
        }
        return;
      }
      if (k != null && n > 0) {
        k.accept(java.util.Arrays.copyOf(buf, n));
      }
    }
  }

  /** Writes to the person's screen as is (in raw mode nothing translates "\n"). */
  public static void show(byte[] bytes) {
    synchronized (SCREEN) {
      try {
        SCREEN.write(bytes);
        SCREEN.flush();
      } catch (IOException e) {
        // The terminal is gone: the child goes on unseen.
      }
    }
  }

  public static void show(String text) {
    show(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Runs stty on promptly's own stdin (the person's terminal); its output. */
  private static String stty(String... args) throws IOException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "stty";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("stty " + String.join(" ", args) + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    return out;
  }
}
