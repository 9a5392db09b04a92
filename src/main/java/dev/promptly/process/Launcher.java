package dev.promptly.process;

import io.vertx.core.Context;

/** Starts children. */
public interface Launcher {
  /** The launcher of this system: posix_spawn, pipes or pseudo-terminals, one epoll thread. */
  static Launcher system() {
    return NativeLauncher.instance();
  }

  /**
   * Starts a child whose events are delivered on {@code context}.
   *
   * @throws SpawnException when the program is not found, not executable, or cannot be started
   */
  ChildProcess spawn(SpawnOptions options, Context context) throws SpawnException;
}
