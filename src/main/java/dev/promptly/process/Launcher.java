package dev.promptly.process;

import io.vertx.core.Context;

/** Starts children. */
public interface Launcher {
  /**
   * Starts a child whose events are delivered on {@code context}.
   *
   * @throws SpawnException when the program is not found, not executable, or cannot be started
   */
  ChildProcess spawn(SpawnOptions options, Context context) throws SpawnException;
}
