package dev.promptly.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to start and how.
 *
 * @param argv program and arguments; argv[0] is looked up on PATH unless it contains a '/',
 *     a relative path with '/' is resolved against {@code cwd}
 * @param cwd working directory (absolute)
 * @param env the child's whole environment
 * @param pty run on a new pseudo-terminal (controlling terminal, new session)
 * @param rows terminal rows (pty only)
 * @param columns terminal columns (pty only)
 * @param echo terminal echo of input (pty only)
 */
public record SpawnOptions(List<String> argv, Path cwd, Map<String, String> env, boolean pty,
                           int rows, int columns, boolean echo) {
  public static final int DEFAULT_ROWS = 24;
  public static final int DEFAULT_COLUMNS = 80;

  public SpawnOptions {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
  }

  /** Over pipes (stdout and stderr merged). */
  public static SpawnOptions pipes(List<String> argv, Path cwd, Map<String, String> env) {
    return new SpawnOptions(argv, cwd, env, false, DEFAULT_ROWS, DEFAULT_COLUMNS, true);
  }

  /** On a new pseudo-terminal of {@code rows} x {@code columns}, echo on or off. */
  public static SpawnOptions pty(List<String> argv, Path cwd, Map<String, String> env, int rows,
                                 int columns, boolean echo) {
    return new SpawnOptions(argv, cwd, env, true, rows, columns, echo);
  }
}
