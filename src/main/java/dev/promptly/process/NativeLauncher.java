package dev.promptly.process;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.vertx.core.Context;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Starts children with glibc's posix_spawn (no fork of the JVM, no helper process): the child is a
 * session leader with default signal dispositions and an empty signal mask, in the requested
 * directory, with only fds 0, 1 and 2. Over pipes, stdout and stderr share one pipe so their
 * interleaving is the order written; on a pty the child opens the slave itself as fd 0, which makes
 * it its controlling terminal. See the package documentation.
 */
public final class NativeLauncher implements Launcher {
  private static final int F_SETPIPE_SZ = 1031;
  private static final int OUTPUT_PIPE_SIZE = 1 << 20;

  private static final NativeLauncher INSTANCE = new NativeLauncher();
  private static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
  private static final int SIGSET_SIZE = 128;
  private static final int SPAWN_STRUCT_SIZE = 1024; // posix_spawnattr_t is 336 bytes, actions 80

  private NativeLauncher() {
  }

  public static NativeLauncher instance() {
    return INSTANCE;
  }

  private static final java.util.concurrent.atomic.AtomicBoolean PREPARING =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Loads the native side of spawning and reading children (JNA's libc bindings, Netty's epoll
   * and its platform probes) on a thread of its own, once per JVM, so a caller can do other work
   * meanwhile: the command line reads and checks its dialogue files. A class is initialised once,
   * by whoever comes first, and the others wait for it, so nothing is done twice; on a second free
   * core this takes ~10-20% off the start of a short run. A failure here shows where the class is
   * first used, as it would without this.
   */
  public static void prepareInBackground() {
    if (!PREPARING.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        EpollLoops.transport();
        Class.forName(LibC.class.getName(), true, LibC.class.getClassLoader());
        io.vertx.core.buffer.Buffer.buffer(1);
      } catch (Throwable e) {
        // Reported where it is first used.
      }
    }, "promptly-prepare");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public ChildProcess spawn(SpawnOptions options, Context context) throws SpawnException {
    Objects.requireNonNull(context, "context");
    if (options.argv().isEmpty()) {
      throw new SpawnException("empty command");
    }
    if (dev.promptly.process.replay.ReplayChild.PROGRAM.equals(options.argv().get(0))) {
      return dev.promptly.process.replay.ReplayChild.start(options, context);
    }
    Path cwd = options.cwd().toAbsolutePath().normalize();
    if (!Files.exists(cwd)) {
      throw new SpawnException("working directory does not exist: " + cwd);
    }
    if (!Files.isDirectory(cwd)) {
      throw new SpawnException("working directory is not a directory: " + cwd);
    }
    String program = resolve(options.argv().get(0), cwd, options.env());
    List<String> envp = new ArrayList<>(options.env().size());
    options.env().forEach((k, v) -> envp.add(k + "=" + v));
    // Load libc (and start the reactor, if this child needs it) before any child exists: if that
    // fails, nothing is left behind, and the user reads one line, not a stack trace.
    Poller poller;
    try {
      LibC.errno();
      poller = LoopPoller.forContext(context);
      if (poller == null) {
        poller = Reactor.get();
      }
    } catch (LinkageError | IllegalStateException e) {
      throw new SpawnException("cannot start child processes here: " + e);
    }
    return options.pty()
        ? spawnPty(program, options, cwd, envp, context, poller)
        : spawnPipes(program, options, cwd, envp, context, poller);
  }

  /** execvp's search, done here so that a failure names the program and why. */
  static String resolve(String name, Path cwd, Map<String, String> env) throws SpawnException {
    if (name.isEmpty()) {
      throw new SpawnException("program not found: ''");
    }
    if (name.indexOf('/') >= 0) {
      Path p = cwd.resolve(name).normalize();
      if (!Files.exists(p)) {
        throw new SpawnException("program not found: " + name);
      }
      if (Files.isDirectory(p)) {
        throw new SpawnException("is a directory: " + p);
      }
      if (!Files.isExecutable(p)) {
        throw new SpawnException("not executable: " + p);
      }
      return p.toString();
    }
    String path = env.get("PATH");
    if (path == null) {
      path = System.getenv("PATH");
    }
    if (path == null) {
      path = DEFAULT_PATH;
    }
    Path notExecutable = null;
    for (String dir : path.split(File.pathSeparator, -1)) {
      Path p = (dir.isEmpty() ? cwd : cwd.resolve(dir)).resolve(name);
      if (Files.isRegularFile(p)) {
        if (Files.isExecutable(p)) {
          return p.toString();
        }
        if (notExecutable == null) {
          notExecutable = p;
        }
      }
    }
    if (notExecutable != null) {
      throw new SpawnException("not executable: " + notExecutable);
    }
    throw new SpawnException("program not found: " + name);
  }

  private ChildProcess spawnPipes(String program, SpawnOptions options, Path cwd,
                                  List<String> envp, Context context, Poller poller)
      throws SpawnException {
    int[] in = {-1, -1};
    int[] out = {-1, -1};
    try {
      check(LibC.pipe2(in, LibC.O_CLOEXEC), "pipe2");
      check(LibC.pipe2(out, LibC.O_CLOEXEC), "pipe2");
      nonBlocking(in[1]);
      nonBlocking(out[0]);
      // A bigger pipe lets a flooding child write on while we are busy, and halves our wake-ups;
      // where the system refuses (pipe-max-size), the default 64 KiB pipe still works.
      LibC.fcntl(out[0], F_SETPIPE_SZ, OUTPUT_PIPE_SIZE);
      int pid = spawn(program, options.argv(), envp, cwd, actions -> {
        check(LibC.posix_spawn_file_actions_adddup2(actions, in[0], 0), "adddup2");
        check(LibC.posix_spawn_file_actions_adddup2(actions, out[1], 1), "adddup2");
        check(LibC.posix_spawn_file_actions_adddup2(actions, out[1], 2), "adddup2");
      });
      LibC.close(in[0]);
      in[0] = -1;
      LibC.close(out[1]);
      out[1] = -1;
      int pidfd = openPidfd(pid);
      return new NativeChild(pid, out[0], in[1], pidfd, false, (byte) 4, context, poller);
    } catch (SpawnException e) {
      LibC.closeQuietly(in[0]);
      LibC.closeQuietly(in[1]);
      LibC.closeQuietly(out[0]);
      LibC.closeQuietly(out[1]);
      throw e;
    }
  }

  private ChildProcess spawnPty(String program, SpawnOptions options, Path cwd,
                                List<String> envp, Context context, Poller poller)
      throws SpawnException {
    int[] master = {-1};
    int[] slave = {-1};
    List<Memory> blocks = new ArrayList<>();
    try {
      Memory ws = track(blocks, winsize(options.rows() > 0 ? options.rows() : SpawnOptions.DEFAULT_ROWS,
          options.columns() > 0 ? options.columns() : SpawnOptions.DEFAULT_COLUMNS));
      check(LibC.Pty.openpty(master, slave, null, null, ws), "openpty");
      LibC.fcntl(master[0], LibC.F_SETFD, LibC.FD_CLOEXEC);
      LibC.fcntl(slave[0], LibC.F_SETFD, LibC.FD_CLOEXEC);
      nonBlocking(master[0]);
      Memory termios = track(blocks, new Memory(LibC.TERMIOS_SIZE));
      check(LibC.tcgetattr(slave[0], termios), "tcgetattr");
      int lflag = termios.getInt(LibC.C_LFLAG_OFFSET);
      termios.setInt(LibC.C_LFLAG_OFFSET, options.echo() ? lflag | LibC.ECHO : lflag & ~LibC.ECHO);
      // Line editing (erase) of UTF-8 input works on characters, not bytes.
      termios.setInt(LibC.C_IFLAG_OFFSET, termios.getInt(LibC.C_IFLAG_OFFSET) | LibC.IUTF8);
      check(LibC.tcsetattr(slave[0], LibC.TCSANOW, termios), "tcsetattr");
      byte veof = termios.getByte(LibC.C_CC_OFFSET + LibC.VEOF);
      if (veof == 0) {
        veof = 4; // _POSIX_VDISABLE: fall back to ^D
      }
      Memory name = track(blocks, new Memory(256));
      check(LibC.ptsname_r(master[0], name, 256), "ptsname_r");
      Memory slavePath = track(blocks,
          LibC.cString(name.getString(0, StandardCharsets.UTF_8.name())));
      int pid = spawn(program, options.argv(), envp, cwd, actions -> {
        // Opened (not inherited) by a session leader without O_NOCTTY: it becomes the child's
        // controlling terminal, so ^C, job control and SIGWINCH work.
        check(LibC.posix_spawn_file_actions_addopen(actions, 0, slavePath, LibC.O_RDWR, 0),
            "addopen");
        check(LibC.posix_spawn_file_actions_adddup2(actions, 0, 1), "adddup2");
        check(LibC.posix_spawn_file_actions_adddup2(actions, 0, 2), "adddup2");
      });
      // Our copy of the slave would keep the terminal open: no EIO (end) ever.
      LibC.close(slave[0]);
      slave[0] = -1;
      int pidfd = openPidfd(pid);
      // Input gets its own fd on the same master so the poller can watch it for EPOLLOUT while
      // the output fd is registered for EPOLLIN (one fd cannot be added to an epoll set twice).
      int inFd = LibC.fcntl(master[0], LibC.F_DUPFD_CLOEXEC, 3);
      if (inFd < 0) {
        int errno = LibC.errno();
        LibC.kill(-pid, Signals.SIGKILL);
        LibC.waitpid(pid, null, 0);
        LibC.close(pidfd);
        throw new SpawnException("cannot start " + program + ": dup: " + LibC.strerror0(errno));
      }
      return new NativeChild(pid, master[0], inFd, pidfd, true, veof, context, poller);
    } catch (SpawnException e) {
      LibC.closeQuietly(master[0]);
      LibC.closeQuietly(slave[0]);
      throw e;
    } finally {
      free(blocks);
    }
  }

  /**
   * Native blocks of one spawn are freed as soon as it returns. Left to the garbage collector,
   * each spawn's dozen blocks (argv, the whole environment, spawn attributes) stay allocated, and
   * JNA's cleaner keeps a registration for each, until a GC and its cleaner thread get to them:
   * 10,000 short runs grew the heap by 40 MB.
   */
  private static Memory track(List<Memory> blocks, Memory m) {
    blocks.add(m);
    return m;
  }

  private static void free(List<Memory> blocks) {
    for (Memory m : blocks) {
      m.close();
    }
    blocks.clear();
  }

  static Memory winsize(int rows, int columns) {
    Memory ws = new Memory(8);
    ws.clear();
    ws.setShort(0, (short) rows);
    ws.setShort(2, (short) columns);
    return ws;
  }

  private interface FileActions {
    void add(Pointer actions) throws SpawnException;
  }

  private static int spawn(String program, List<String> argv, List<String> envp, Path cwd,
                           FileActions stdio) throws SpawnException {
    List<Memory> keep = new ArrayList<>();
    Memory attr = track(keep, new Memory(SPAWN_STRUCT_SIZE));
    Memory actions = track(keep, new Memory(SPAWN_STRUCT_SIZE));
    attr.clear();
    actions.clear();
    try {
      check(LibC.posix_spawnattr_init(attr), "posix_spawnattr_init");
    } catch (SpawnException e) {
      free(keep);
      throw e;
    }
    try {
      check(LibC.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
      try {
        Memory empty = track(keep, new Memory(SIGSET_SIZE));
        Memory all = track(keep, new Memory(SIGSET_SIZE));
        LibC.sigemptyset(empty);
        LibC.sigfillset(all);
        check(LibC.posix_spawnattr_setflags(attr, (short) (LibC.POSIX_SPAWN_SETSID
            | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF)), "setflags");
        check(LibC.posix_spawnattr_setsigmask(attr, empty), "setsigmask");
        check(LibC.posix_spawnattr_setsigdefault(attr, all), "setsigdefault");
        Memory dir = track(keep, LibC.cString(cwd.toString()));
        check(LibC.posix_spawn_file_actions_addchdir_np(actions, dir), "addchdir_np");
        stdio.add(actions);
        // The JVM's own fds are not all close-on-exec.
        check(LibC.posix_spawn_file_actions_addclosefrom_np(actions, 3), "addclosefrom_np");
        Memory path = track(keep, LibC.cString(program));
        Memory argvMem = track(keep, LibC.cStringArray(argv, keep));
        Memory envMem = track(keep, LibC.cStringArray(envp, keep));
        Memory pid = track(keep, new Memory(4));
        int rc = LibC.posix_spawn(pid, path, actions, attr, argvMem, envMem);
        if (rc != 0) {
          throw new SpawnException("cannot start " + program + ": " + LibC.strerror0(rc));
        }
        return pid.getInt(0);
      } finally {
        LibC.posix_spawn_file_actions_destroy(actions);
      }
    } finally {
      LibC.posix_spawnattr_destroy(attr);
      free(keep);
    }
  }

  private static int openPidfd(int pid) throws SpawnException {
    int fd = (int) LibC.syscall(LibC.SYS_PIDFD_OPEN, pid, 0);
    if (fd < 0) {
      int errno = LibC.errno();
      LibC.kill(-pid, Signals.SIGKILL);
      LibC.waitpid(pid, null, 0);
      throw new SpawnException("cannot watch the child (pidfd_open: " + LibC.strerror0(errno)
          + "; Linux 5.3 or later is needed)");
    }
    LibC.fcntl(fd, LibC.F_SETFD, LibC.FD_CLOEXEC);
    return fd;
  }

  private static void nonBlocking(int fd) throws SpawnException {
    int flags = LibC.fcntl(fd, LibC.F_GETFL, 0);
    check(flags < 0 ? -1 : LibC.fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK), "fcntl");
  }

  /** For calls that return -1 and set errno, and posix_spawn helpers that return an errno. */
  private static void check(int rc, String what) throws SpawnException {
    if (rc != 0) {
      int errno = rc > 0 ? rc : LibC.errno();
      throw new SpawnException("cannot start the child: " + what + ": " + LibC.strerror0(errno));
    }
  }
}
