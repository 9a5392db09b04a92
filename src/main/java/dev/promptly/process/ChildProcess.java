package dev.promptly.process;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.time.Duration;

/**
 * A running child, over pipes or a pseudo-terminal. Every handler and future completes on the
 * Vert.x context given at spawn. The child runs in its own session and process group, so
 * {@link #terminate} reaches every process it started that did not leave that group.
 */
public interface ChildProcess {
  long pid();

  /**
   * Everything the child writes (stdout and stderr merged, in the order written). Read
   * continuously whatever the consumer does: pausing buffers in memory, it never stalls the child.
   * Ends (endHandler) when every writer of the output has closed it.
   */
  ReadStream<Buffer> output();

  /** The child's input; honours backpressure (writeQueueFull / drainHandler). */
  WriteStream<Buffer> input();

  /**
   * End of input: closes the pipe, or on a pty writes the terminal's EOF character (^D) after
   * pending input.
   */
  Future<Void> closeInput();

  /** Completes when the child has exited and been reaped. */
  Future<ExitStatus> exit();

  /** Sends a signal to the child's whole process group. */
  void signal(int signal);

  /**
   * SIGTERM to the process group, then SIGKILL after {@code grace} if the child is still there;
   * completes when the child is reaped. Any process left in the group gets SIGKILL too.
   */
  Future<ExitStatus> terminate(Duration grace);

  /** New terminal size (pty only; a no-op on pipes). Delivers SIGWINCH. */
  void resize(int rows, int columns);

  boolean isPty();

  /**
   * Whether what is typed now is hidden: the child's terminal reads lines with echo off, as a
   * program reading a password sets it. A line editor (readline, an editor) also turns echo off
   * but reads keys, not lines, and echoes them itself: not hidden. Pipes answer false.
   */
  default boolean hidesInput() {
    return false;
  }

  /**
   * The dialogue now waits for output ({@code true}) or has stopped waiting. A child that itself
   * waits for input (a replay at a recorded input) then knows neither side will move.
   */
  default void awaitingOutput(boolean waiting) {
  }
}
