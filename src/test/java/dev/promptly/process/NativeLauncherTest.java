package dev.promptly.process;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLauncherTest {
  static Vertx vertx;
  static final Path CWD = Path.of(System.getProperty("user.dir"));
  static final Map<String, String> ENV = System.getenv();
  /** Records every child so that each test ends with all of them reaped and their fds closed. */
  private static final List<ChildProcess> CHILDREN = new ArrayList<>();
  private static final Launcher LAUNCHER = (options, context) -> {
    ChildProcess child = Launcher.system().spawn(options, context);
    CHILDREN.add(child);
    return child;
  };

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @AfterEach
  void reapAll() throws Exception {
    for (ChildProcess child : CHILDREN) {
      await(child.terminate(Duration.ofSeconds(1)));
    }
    CHILDREN.clear();
  }

  // Helpers.

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static ChildProcess spawn(String... argv) throws SpawnException {
    return LAUNCHER.spawn(SpawnOptions.pipes(List.of(argv), CWD, ENV), vertx.getOrCreateContext());
  }

  static ChildProcess spawnPty(int rows, int cols, boolean echo, String... argv)
      throws SpawnException {
    return LAUNCHER.spawn(SpawnOptions.pty(List.of(argv), CWD, ENV, rows, cols, echo),
        vertx.getOrCreateContext());
  }

  /** Everything the child writes, when its output ends. */
  static Future<Buffer> all(ChildProcess child) {
    Promise<Buffer> done = Promise.promise();
    Buffer acc = Buffer.buffer();
    child.output().handler(acc::appendBuffer).endHandler(v -> done.complete(acc));
    return done.future();
  }

  /** Output so far, and a future of the first moment it satisfies {@code until}. */
  static final class Watch {
    final StringBuilder text = new StringBuilder();
    final Promise<Void> ended = Promise.promise();
    private Predicate<String> until;
    private Promise<String> seen;

    Watch(ChildProcess child) {
      child.output().handler(b -> {
        text.append(b.toString(UTF_8));
        check();
      }).endHandler(v -> ended.complete());
    }

    private void check() {
      if (seen != null && until.test(text.toString())) {
        Promise<String> p = seen;
        seen = null;
        p.complete(text.toString());
      }
    }

    /** Call on the test thread; the check runs on the child's context via the handler. */
    synchronized String await(Context ctx, Predicate<String> until) throws Exception {
      Promise<String> p = Promise.promise();
      ctx.runOnContext(v -> {
        this.until = until;
        this.seen = p;
        check();
      });
      return NativeLauncherTest.await(p.future());
    }
  }

  static Future<Void> timer(long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, id -> p.complete());
    return p.future();
  }

  static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X'; // an orphan zombie may wait on a PID 1 that never reaps
    } catch (IOException e) {
      return false;
    }
  }

  static void awaitGone(long pid) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (alive(pid) && System.nanoTime() < deadline) {
      await(timer(10));
    }
    assertThat(alive(pid)).as("process %d is gone", pid).isFalse();
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  // Pipes.

  /** The poller children of this class's Vert.x instance get (NIO: the shared reactor). */
  Class<? extends Poller> expectedPoller() {
    return Reactor.class;
  }

  @Test
  void theChildIsWatchedWhereItsVertxAllows() throws Exception {
    ChildProcess child = spawn("echo", "hi");
    assertThat(((NativeChild) child).poller).isInstanceOf(expectedPoller());
    assertThat(await(child.exit()).code()).isZero();
  }

  @Test
  void echoOverPipes() throws Exception {
    ChildProcess child = spawn("echo", "hello", "мир");
    assertThat(child.isPty()).isFalse();
    assertThat(await(all(child)).toString(UTF_8)).isEqualTo("hello мир\n");
    assertThat(await(child.exit())).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void stderrIsMergedInWriteOrder() throws Exception {
    ChildProcess child = spawn("sh", "-c", "echo a; echo b >&2; echo c; echo d >&2");
    assertThat(await(all(child)).toString(UTF_8)).isEqualTo("a\nb\nc\nd\n");
  }

  @Test
  void exitCode() throws Exception {
    ChildProcess child = spawn("sh", "-c", "exit 3");
    ExitStatus status = await(child.exit());
    assertThat(status).isEqualTo(ExitStatus.exited(3));
    assertThat(status).hasToString("exit 3");
  }

  @Test
  void killedBySignal() throws Exception {
    ChildProcess child = spawn("sh", "-c", "kill -KILL $$");
    ExitStatus status = await(child.exit());
    assertThat(status).isEqualTo(ExitStatus.killed(Signals.SIGKILL));
    assertThat(status).hasToString("killed by SIGKILL");
  }

  @Test
  void catRoundTripOf10MegabytesWithBackpressure() throws Exception {
    ChildProcess child = spawn("cat");
    Context ctx = vertx.getOrCreateContext();
    byte[] data = new byte[10 * 1024 * 1024];
    new Random(42).nextBytes(data);
    MessageDigest received = MessageDigest.getInstance("SHA-256");
    long[] count = {0};
    Promise<Void> ended = Promise.promise();
    child.output().handler(b -> {
      received.update(b.getBytes());
      count[0] += b.length();
    }).endHandler(v -> ended.complete());
    AtomicBoolean sawFull = new AtomicBoolean();
    Promise<Void> sent = Promise.promise();
    ctx.runOnContext(v -> new Runnable() {
      int offset;

      @Override
      public void run() {
        while (offset < data.length) {
          if (child.input().writeQueueFull()) {
            sawFull.set(true);
            child.input().drainHandler(d -> run());
            return;
          }
          int len = Math.min(8192, data.length - offset);
          child.input().write(Buffer.buffer().appendBytes(data, offset, len));
          offset += len;
        }
        child.closeInput().onComplete(sent);
      }
    }.run());
    await(sent.future());
    await(ended.future());
    assertThat(count[0]).isEqualTo(data.length);
    assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(sha256(data));
    assertThat(sawFull).isTrue();
    assertThat(await(child.exit())).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void childWriting20MegabytesBeforeReadingInputDoesNotDeadlock() throws Exception {
    ChildProcess child = spawn("python3", "-c",
        "import sys\n"
            + "sys.stdout.buffer.write(b'x' * 20_000_000); sys.stdout.flush()\n"
            + "print('got ' + sys.stdin.readline().strip())\n");
    Future<Buffer> out = all(child);
    await(child.input().write(Buffer.buffer("ping\n")));
    Buffer b = await(out);
    assertThat(b.length()).isEqualTo(20_000_000 + "got ping\n".length());
    assertThat(b.getString(20_000_000, b.length())).isEqualTo("got ping\n");
    assertThat(await(child.exit())).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void pausedOutputIsKeptAndTheChildStillFinishes() throws Exception {
    ChildProcess child = spawn("head", "-c", "3000000", "/dev/zero");
    child.output().pause();
    assertThat(await(child.exit())).isEqualTo(ExitStatus.exited(0));
    Future<Buffer> out = all(child);
    child.output().resume();
    assertThat(await(out).length()).isEqualTo(3_000_000);
  }

  @Test
  void fetchDeliversChunksOnDemand() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    ChildProcess child = LAUNCHER.spawn(
        SpawnOptions.pipes(List.of("sh", "-c", "echo 1; sleep 0.05; echo 2; sleep 0.05; echo 3"),
            CWD, ENV), ctx);
    child.output().pause();
    await(child.exit());
    List<String> got = new ArrayList<>();
    Promise<Void> end = Promise.promise();
    child.output().handler(b -> got.add(b.toString(UTF_8))).endHandler(v -> end.complete());
    child.output().fetch(1);
    // Calls hop onto the child's context in order: this runs after the fetch has been served.
    Promise<Integer> afterOne = Promise.promise();
    ctx.runOnContext(v -> afterOne.complete(got.size()));
    assertThat(await(afterOne.future())).isEqualTo(1);
    assertThat(end.future().isComplete()).isFalse();
    child.output().resume();
    await(end.future());
    assertThat(String.join("", got)).isEqualTo("1\n2\n3\n");
  }

  @Test
  void writingToAChildThatClosedItsInputFailsClearly() throws Exception {
    ChildProcess child = spawn("sh", "-c", "exec 0<&-; echo ready; sleep 10");
    Watch watch = new Watch(child);
    Context ctx = vertx.getOrCreateContext();
    watch.await(ctx, t -> t.contains("ready"));
    Promise<Throwable> reported = Promise.promise();
    child.input().exceptionHandler(reported::tryComplete);
    Future<Void> write = child.input().write(Buffer.buffer("hello\n"));
    assertThatThrownBy(() -> await(write)).hasRootCauseMessage(ChildInput.BROKEN_PIPE);
    assertThat(await(reported.future())).hasMessage(ChildInput.BROKEN_PIPE);
    assertThat(await(child.terminate(Duration.ofSeconds(5))))
        .isEqualTo(ExitStatus.killed(Signals.SIGTERM));
  }

  @Test
  void writesAfterCloseInputFail() throws Exception {
    ChildProcess child = spawn("cat");
    Future<Buffer> out = all(child);
    await(child.input().write(Buffer.buffer("x")));
    await(child.closeInput());
    assertThatThrownBy(() -> await(child.input().write(Buffer.buffer("y"))))
        .hasRootCauseMessage("input is closed");
    assertThat(await(out).toString(UTF_8)).isEqualTo("x");
  }

  // Start-up errors.

  @Test
  void programNotFound() {
    assertThatThrownBy(() -> spawn("no-such-program-xyz"))
        .isInstanceOf(SpawnException.class).hasMessage("program not found: no-such-program-xyz");
    assertThatThrownBy(() -> spawn("./no-such-program-xyz"))
        .isInstanceOf(SpawnException.class).hasMessage("program not found: ./no-such-program-xyz");
  }

  @Test
  void notExecutableAndDirectory(@TempDir Path dir) throws Exception {
    Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
    assertThatThrownBy(() -> spawn(script.toString()))
        .isInstanceOf(SpawnException.class).hasMessage("not executable: " + script);
    assertThatThrownBy(() -> spawn(dir.toString()))
        .isInstanceOf(SpawnException.class).hasMessage("is a directory: " + dir);
    // A relative program is looked up from the working directory.
    script.toFile().setExecutable(true);
    ChildProcess child = LAUNCHER.spawn(SpawnOptions.pipes(List.of("./script.sh"), dir, ENV),
        vertx.getOrCreateContext());
    assertThat(await(all(child)).toString(UTF_8)).isEqualTo("hi\n");
    // PATH comes from the child's environment.
    ChildProcess onPath = LAUNCHER.spawn(SpawnOptions.pipes(List.of("script.sh"), CWD,
        Map.of("PATH", dir.toString())), vertx.getOrCreateContext());
    assertThat(await(all(onPath)).toString(UTF_8)).isEqualTo("hi\n");
  }

  @Test
  void missingWorkingDirectory(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> LAUNCHER.spawn(SpawnOptions.pipes(List.of("true"), missing, ENV),
        vertx.getOrCreateContext()))
        .isInstanceOf(SpawnException.class)
        .hasMessage("working directory does not exist: " + missing);
    ChildProcess child = LAUNCHER.spawn(SpawnOptions.pipes(List.of("pwd"), dir, ENV),
        vertx.getOrCreateContext());
    assertThat(await(all(child)).toString(UTF_8)).isEqualTo(dir.toRealPath() + "\n");
  }

  @Test
  void emptyEnvironmentIsTheChildsWholeEnvironment() throws Exception {
    ChildProcess child = LAUNCHER.spawn(SpawnOptions.pipes(List.of("/usr/bin/env"), CWD,
        Map.of("ONLY", "this")), vertx.getOrCreateContext());
    assertThat(await(all(child)).toString(UTF_8)).isEqualTo("ONLY=this\n");
  }

  // Termination.

  @Test
  void terminateKillsGrandchildren() throws Exception {
    ChildProcess child = spawn("sh", "-c", "sleep 1000 & echo $!; wait");
    Watch watch = new Watch(child);
    String line = watch.await(vertx.getOrCreateContext(), t -> t.contains("\n"));
    long grandchild = Long.parseLong(line.trim());
    assertThat(alive(grandchild)).isTrue();
    ExitStatus status = await(child.terminate(Duration.ofSeconds(5)));
    assertThat(status).isEqualTo(ExitStatus.killed(Signals.SIGTERM));
    awaitGone(grandchild);
    await(watch.ended.future());
  }

  @Test
  void terminateEndsOutputHeldByAGrandchildThatLeftTheGroup() throws Exception {
    // setsid: the grandchild leaves the group, so no group signal reaches it; it holds the pipe.
    ChildProcess child = spawn("python3", "-c",
        "import os, sys\n"
            + "if os.fork() == 0:\n"
            + "    os.setsid(); print(os.getpid(), flush=True); os.execlp('sleep', 'sleep', '1000')\n");
    Watch watch = new Watch(child);
    String line = watch.await(vertx.getOrCreateContext(), t -> t.contains("\n"));
    long grandchild = Long.parseLong(line.trim());
    assertThat(await(child.exit())).isEqualTo(ExitStatus.exited(0));
    assertThat(watch.ended.future().isComplete()).isFalse();
    assertThat(await(child.terminate(Duration.ofSeconds(5)))).isEqualTo(ExitStatus.exited(0));
    await(watch.ended.future());
    LibC.kill((int) grandchild, Signals.SIGKILL);
  }

  @Test
  void childIgnoringSigtermIsKilledAfterGrace() throws Exception {
    ChildProcess child = spawn("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done");
    Watch watch = new Watch(child);
    watch.await(vertx.getOrCreateContext(), t -> t.contains("ready"));
    long start = System.nanoTime();
    ExitStatus status = await(child.terminate(Duration.ofMillis(300)));
    assertThat(status).isEqualTo(ExitStatus.killed(Signals.SIGKILL));
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(
        TimeUnit.MILLISECONDS.toNanos(250));
    await(watch.ended.future());
    assertThat(await(child.exit())).isEqualTo(status);
  }

  @Test
  void terminateAfterExitReturnsTheStatus() throws Exception {
    ChildProcess child = spawn("true");
    Future<Buffer> out = all(child);
    await(child.exit());
    await(out);
    assertThat(await(child.terminate(Duration.ofSeconds(1)))).isEqualTo(ExitStatus.exited(0));
    child.signal(Signals.SIGTERM); // reaped: a no-op, never a stranger's group
  }

  // Pseudo-terminals.

  @Test
  void ptyIsTheControllingTerminal() throws Exception {
    ChildProcess child = spawnPty(24, 80, true, "sh", "-c", "tty; ps -o tpgid= -p $$; echo $$");
    assertThat(child.isPty()).isTrue();
    String out = await(all(child)).toString(UTF_8);
    assertThat(out).startsWith("/dev/pts/");
    String[] lines = out.trim().split("\\s+");
    // The child's group is the terminal's foreground group.
    assertThat(lines[1]).isEqualTo(lines[2]).isEqualTo(Long.toString(child.pid()));
    assertThat(await(child.exit())).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void ptySizeAndIsatty() throws Exception {
    ChildProcess size = spawnPty(33, 111, true, "stty", "size");
    assertThat(await(all(size)).toString(UTF_8)).isEqualTo("33 111\r\n");
    ChildProcess isatty = spawnPty(24, 80, true, "python3", "-c",
        "import sys;print(sys.stdin.isatty(), sys.stdout.isatty())");
    assertThat(await(all(isatty)).toString(UTF_8)).isEqualTo("True True\r\n");
  }

  @Test
  void ptyEchoOnAndOff() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    ChildProcess on = spawnPty(24, 80, true, "cat");
    Watch onWatch = new Watch(on);
    on.input().write(Buffer.buffer("hello\n"));
    assertThat(onWatch.await(ctx, t -> t.contains("hello\r\nhello\r\n")))
        .isEqualTo("hello\r\nhello\r\n");
    await(on.closeInput());
    assertThat(await(on.exit())).isEqualTo(ExitStatus.exited(0));

    ChildProcess off = spawnPty(24, 80, false, "sh", "-c", "cat; echo done");
    Watch offWatch = new Watch(off);
    off.input().write(Buffer.buffer("hello\n"));
    await(off.closeInput());
    await(offWatch.ended.future());
    assertThat(offWatch.text.toString()).isEqualTo("hello\r\ndone\r\n");
  }

  @Test
  void closeInputOnAPtyEndsCatEvenAfterAPartialLine() throws Exception {
    ChildProcess child = spawnPty(24, 80, false, "cat");
    Future<Buffer> out = all(child);
    child.input().write(Buffer.buffer("abc"));
    await(child.closeInput());
    assertThat(await(child.exit())).isEqualTo(ExitStatus.exited(0));
    assertThat(await(out).toString(UTF_8)).isEqualTo("abc");
  }

  @Test
  void controlCInterruptsOnAPty() throws Exception {
    ChildProcess child = spawnPty(24, 80, true, "sleep", "100");
    child.input().write(Buffer.buffer("\u0003"));
    assertThat(await(child.exit())).isEqualTo(ExitStatus.killed(Signals.SIGINT));
  }

  @Test
  void resizeIsSeenByTheNextCommand() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    ChildProcess child = spawnPty(24, 80, false, "sh", "-c",
        "read a; stty size; read b; stty size");
    Watch watch = new Watch(child);
    child.input().write(Buffer.buffer("x\n"));
    watch.await(ctx, t -> t.contains("24 80\r\n"));
    child.resize(40, 120);
    child.input().write(Buffer.buffer("y\n"));
    watch.await(ctx, t -> t.contains("40 120\r\n"));
    assertThat(await(child.exit())).isEqualTo(ExitStatus.exited(0));
    await(watch.ended.future());
  }

  @Test
  void terminateOnAPty() throws Exception {
    ChildProcess child = spawnPty(24, 80, true, "sleep", "100");
    Future<Buffer> out = all(child);
    assertThat(await(child.terminate(Duration.ofSeconds(5))))
        .isEqualTo(ExitStatus.killed(Signals.SIGTERM));
    await(out);
  }

  // Scale and leaks.

  @Test
  void hundredConcurrentCats() throws Exception {
    int n = 100;
    List<Future<String>> digests = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    List<ChildProcess> children = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] data = new byte[100_000 + i * 1000];
      new Random(i).nextBytes(data);
      expected.add(sha256(data));
      ChildProcess child = spawn("cat");
      children.add(child);
      digests.add(all(child).map(b -> {
        try {
          return sha256(b.getBytes());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
      child.input().write(Buffer.buffer(data));
      child.closeInput();
    }
    for (int i = 0; i < n; i++) {
      assertThat(await(digests.get(i))).as("child %d", i).isEqualTo(expected.get(i));
      assertThat(await(children.get(i).exit())).isEqualTo(ExitStatus.exited(0));
    }
  }

  @Test
  void noFdOrThreadLeaks() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    cycle(ctx, false);
    cycle(ctx, true);
    long fds = openFds();
    String before = fdList();
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    for (int i = 0; i < 200; i++) {
      cycle(ctx, i % 2 == 0);
    }
    CHILDREN.clear(); // all reaped and closed by cycle()
    assertThat(openFds()).as(() -> before + "\n" + fdList()).isEqualTo(fds);
    // Not more (threads of another test's closed Vert.x may end meanwhile).
    assertThat(ManagementFactory.getThreadMXBean().getThreadCount()).isLessThanOrEqualTo(threads);
    List<Thread> reactors = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("promptly-io"))
        .toList();
    assertThat(reactors).allMatch(Thread::isDaemon).hasSizeLessThanOrEqualTo(1);
    if (expectedPoller() == Reactor.class) {
      assertThat(reactors).hasSize(1);
    }
  }

  private static void cycle(Context ctx, boolean pty) throws Exception {
    SpawnOptions options = pty ? SpawnOptions.pty(List.of("cat"), CWD, ENV, 24, 80, true)
        : SpawnOptions.pipes(List.of("cat"), CWD, ENV);
    ChildProcess child = LAUNCHER.spawn(options, ctx);
    Future<Buffer> out = all(child);
    child.input().write(Buffer.buffer("x\n"));
    child.closeInput();
    await(child.exit());
    await(out);
  }

  private static String fdList() {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.map(p -> {
        try {
          return p.getFileName() + "->" + Files.readSymbolicLink(p);
        } catch (IOException e) {
          return p.getFileName() + "->?";
        }
      }).sorted().toList().toString();
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static long openFds() throws IOException {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }
}
