package dev.promptly.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptly.engine.TestRuns;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a library user may rely on (issue 15), each with real children: nothing sent is lost,
 * no child outlives its owner, close works from anywhere, messages say what happened and keep
 * secrets, and a session pipes like any Vert.x stream.
 */
class LibraryPromisesTest {
  private static final long WAIT = 30;

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(WAIT, TimeUnit.SECONDS);
  }

  @Test
  void tenThousandUnawaitedSendsAllArriveInOrderAndEveryFutureCompletes() throws Exception {
    Promptly promptly = Promptly.create();
    try {
      Session s = await(promptly.spawn("cat"));
      StringBuilder echoed = new StringBuilder();
      CountDownLatch all = new CountDownLatch(1);
      String last = "line 9999\n";
      s.outputHandler(text -> {
        echoed.append(text);
        if (echoed.length() >= last.length()
            && echoed.substring(echoed.length() - last.length()).equals(last)) {
          all.countDown();
        }
      });
      List<Future<Void>> sends = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        // Long lines, so the pipe fills and sends wait for room behind each other.
        sends.add(s.sendLine("x".repeat(200) + " line " + i));
      }
      // The last line names itself plainly, so the end is easy to see.
      sends.add(s.sendLine("line 9999"));
      await(Future.all(sends));
      assertThat(sends).allMatch(Future::succeeded);
      assertThat(all.await(WAIT, TimeUnit.SECONDS)).as("everything echoed").isTrue();
      String[] lines = echoed.toString().split("\n");
      assertThat(lines).hasSize(10_001);
      for (int i = 0; i < 10_000; i++) {
        assertThat(lines[i]).endsWith(" line " + i);
      }
    } finally {
      await(promptly.close());
    }
  }

  @Test
  void closeOnItsOwnEventLoopEndsTheChildrenAndDoesNotDeadlock() throws Exception {
    Promptly promptly = Promptly.create();
    Session s = await(promptly.spawn("sleep", "1000"));
    Promise<Void> closed = Promise.promise();
    promptly.vertx().runOnContext(v -> promptly.close().onComplete(closed));
    await(closed.future());
    assertThat(TestRuns.alive(s.pid())).isFalse();
    assertThat(promptly.spawn("true").failed()).isTrue();
    assertThatThrownBy(() -> await(promptly.spawn("true")))
        .hasMessageContaining("this Promptly is closed");
  }

  @Test
  void childrenEndWhenTheVerticleThatSpawnedThemIsUndeployed() throws Exception {
    Vertx vertx = Vertx.vertx(); // NIO: only a close hook can end the child
    try {
      Promptly promptly = Promptly.create(vertx);
      AtomicLong pid = new AtomicLong();
      String id = await(vertx.deployVerticle(new AbstractVerticle() {
        @Override
        public void start(Promise<Void> started) {
          promptly.spawn("sleep", "1000").onSuccess(s -> pid.set(s.pid()))
              .<Void>mapEmpty().onComplete(started);
        }
      }));
      assertThat(TestRuns.alive(pid.get())).isTrue();
      await(vertx.undeploy(id));
      assertThat(TestRuns.alive(pid.get())).as("child of the undeployed verticle").isFalse();
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void childrenEndWhenTheirVertxIsClosedOnNio() throws Exception {
    Vertx vertx = Vertx.vertx();
    Promptly promptly = Promptly.create(vertx);
    Session pipes = await(promptly.spawn("sleep", "1000"));
    Session pty = await(promptly.spawn(new ChildOptions("sleep", "1000").setPty(true)));
    await(vertx.close());
    assertThat(TestRuns.alive(pipes.pid())).isFalse();
    assertThat(TestRuns.alive(pty.pid())).isFalse();
  }

  @Test
  void anUnclosedBlockingSessionLetsTheJvmEndAndItsChildEndsWithIt() throws Exception {
    long pid = runLeftOpen("blocking");
    assertThat(TestRuns.stillAliveAfter(pid, 5000)).as("child %d of the ended JVM", pid).isFalse();
  }

  @Test
  void aChildOverPipesEndsWithTheJvmThatCallsSystemExit() throws Exception {
    long pid = runLeftOpen("async");
    assertThat(TestRuns.stillAliveAfter(pid, 5000)).as("child %d of the ended JVM", pid).isFalse();
  }

  /** Runs {@link LeftOpenMain} in a JVM of its own; it must end by itself. Returns the child's pid. */
  private static long runLeftOpen(String mode) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-Xmx128m", "-cp",
        System.getProperty("java.class.path"), LeftOpenMain.class.getName(), mode)
        .redirectErrorStream(true).start();
    List<String> out = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          out.add(line);
        }
      } catch (java.io.IOException ignored) {
        // the process ended
      }
    });
    reader.start();
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor();
    }
    reader.join(10_000);
    assertThat(ended).as("the JVM ended by itself; its output: %s", out).isTrue();
    String line = out.stream().filter(l -> l.startsWith("pid ")).findFirst()
        .orElseThrow(() -> new AssertionError("no pid printed: " + out));
    return Long.parseLong(line.substring(4).trim());
  }

  @Test
  void afterCloseTheSessionSaysItIsClosedAndKeepsWhatItKnows() throws Exception {
    Promptly promptly = Promptly.create();
    Session s = await(promptly.spawn("sh", "-c", "echo hello; sleep 1000"));
    await(s.expect(Expectation.literal("hello")));
    await(promptly.close());
    Exit exit = await(s.exit());
    assertThat(exit.signalName()).isEqualTo("SIGTERM");
    assertThat(await(s.lastLines())).containsExactly("hello");
    assertThat(s.isAlive()).isFalse();
    assertThatThrownBy(() -> await(s.sendLine("more")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    assertThatThrownBy(() -> await(s.expect(Expectation.literal("x"))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
  }

  @Test
  void anInterruptedBlockingExpectLeavesTheSessionUsable() {
    try (BlockingSession s = Promptly.blocking().spawn("cat")) {
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> s.expect(Duration.ofSeconds(30), Expectation.literal("never")))
          .isInstanceOf(PromptlyException.class)
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(Thread.interrupted()).as("the interrupt flag is set again").isTrue();
      s.sendLine("hello");
      assertThat(s.expect("hello").text()).isEqualTo("hello");
    }
  }

  @Test
  void aFailedExpectSaysHowTheChildEnded() {
    try (BlockingSession s = Promptly.blocking().spawn("sh", "-c", "echo bye; exit 3")) {
      assertThatThrownBy(() -> s.expect("never"))
          .isInstanceOf(ExpectFailure.class)
          .hasMessageContaining("output ended")
          .hasMessageContaining("the child exited with 3")
          .hasMessageContaining("  | bye");
    }
    try (BlockingSession s = Promptly.blocking().spawn("sh", "-c", "echo bye; kill -9 $$")) {
      assertThatThrownBy(() -> s.expect("never"))
          .isInstanceOf(ExpectFailure.class)
          .hasMessageContaining("the child was killed by SIGKILL");
    }
  }

  @Test
  void messagesMaskSecretsShowCarriageReturnsAndCutPayloads() {
    try (BlockingSession s = Promptly.blocking().spawn("cat")) {
      s.sendSecretLine("hunter2");
      s.sendLine("progress 10%\rprogress 20%");
      assertThatThrownBy(() -> s.expect(Duration.ofMillis(300), Expectation.literal("never")))
          .isInstanceOf(ExpectFailure.class)
          .hasMessageContaining("  | ******")
          .hasMessageContaining("progress 10%\\r")
          .hasMessageNotContaining("hunter2");
      assertThat(String.join("\n", s.lastLines())).doesNotContain("hunter2");
    }
    try (BlockingSession s = Promptly.blocking().spawn("sleep", "1000")) {
      s.setTimeout(Duration.ofMillis(300));
      String payload = "y".repeat(1_000_000);
      assertThatThrownBy(() -> s.sendLine(payload))
          .isInstanceOf(PromptlyException.class)
          .hasMessageContaining("the child is not reading its input")
          .hasMessageContaining("(1000001 chars)")
          .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(2000));
    }
  }

  @Test
  void aBeforeCutByTheWindowSaysSo() {
    try (BlockingSession s = Promptly.blocking().spawn(new ChildOptions("sh", "-c",
        "printf 'start '; head -c 5000 /dev/zero | tr '\\0' x; echo ' END'; echo ' again'")
        .setWindow(1000))) {
      Match m = s.expect("END");
      assertThat(m.before().length()).isLessThanOrEqualTo(1000);
      assertThat(m.beforeTruncated()).isTrue();
      Match next = s.expect("again");
      assertThat(next.before()).isEqualTo("\n ");
      assertThat(next.beforeTruncated()).isFalse();
    }
  }

  @Test
  void eventsArePublishedOnlyWhenAskedAndUnderUniqueAddresses() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Promptly promptly = Promptly.create(vertx);
      Session quiet = await(promptly.spawn("sh", "-c", "echo quiet"));
      List<Object> heard = new CopyOnWriteArrayList<>();
      vertx.eventBus().consumer(quiet.address() + ".output", m -> heard.add(m.body()));
      vertx.eventBus().consumer(quiet.address() + ".exit", m -> heard.add(m.body()));
      await(quiet.exit());
      Session loud = await(promptly.spawn(new ChildOptions("sh", "-c", "echo loud")
          .setPublishEvents(true)));
      assertThat(loud.id()).isNotEqualTo(quiet.id()).matches("[0-9a-f-]{36}");
      Promise<Object> exitEvent = Promise.promise();
      vertx.eventBus().consumer(loud.address() + ".exit", m -> exitEvent.tryComplete(m.body()));
      // The exit may have been published before the consumer was there: run another one.
      if (!exitEvent.future().isComplete()) {
        Session again = await(promptly.spawn(new ChildOptions("sh", "-c", "sleep 0.2")
            .setAddress(loud.address())));
        await(again.exit());
      }
      assertThat(await(exitEvent.future()).toString()).contains("\"code\":0");
      assertThat(heard).isEmpty();
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void aSessionPipesLikeAnyVertxStream(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Promptly promptly = Promptly.create(vertx);
      Path in = dir.resolve("in.txt");
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 50_000; i++) {
        text.append("row ").append(i).append('\n');
      }
      Files.writeString(in, text);
      Path out = dir.resolve("out.txt");
      Session cat = await(promptly.spawn("cat"));
      AsyncFile sink = await(vertx.fileSystem().open(out.toString(),
          new OpenOptions().setWrite(true).setCreate(true)));
      Future<Void> written = cat.output().pipeTo(sink);
      AsyncFile source = await(vertx.fileSystem().open(in.toString(), new OpenOptions()));
      await(source.pipeTo(cat.input())); // ends the input: cat then ends
      await(written);
      assertThat(Files.readString(out)).isEqualTo(text.toString());
      assertThat(await(cat.exit()).success()).isTrue();
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void everydayCallsSignalIsAliveWindowSizeExpectAnyAndDelay() throws Exception {
    Promptly promptly = Promptly.create();
    try {
      Session sh = await(promptly.spawn(new ChildOptions("sh").setPty(true)
          .setDelayBeforeSend(Duration.ofMillis(20))));
      assertThat(sh.isAlive()).isTrue();
      await(sh.setWindowSize(30, 100));
      List<Future<Void>> sends = List.of(sh.sendLine("echo one"), sh.sendLine("echo two"),
          sh.sendLine("stty size"));
      await(Future.all(sends));
      Match m = await(sh.expectAny("30 100", "24 500"));
      assertThat(m.index()).isZero();
      assertThat(m.before()).containsSubsequence("one", "two");
      await(sh.signal("KILL"));
      Exit exit = await(sh.exit());
      assertThat(exit.signalName()).isEqualTo("SIGKILL");
      assertThat(sh.isAlive()).isFalse();
      assertThatThrownBy(() -> await(sh.signal("NOPE")))
          .isInstanceOf(IllegalArgumentException.class);
      Session pipes = await(promptly.spawn("cat"));
      assertThatThrownBy(() -> await(pipes.setWindowSize(30, 100)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("pseudo-terminal");
    } finally {
      await(promptly.close());
    }
  }

  @Test
  void anInventoryIsGivenAsAFileThroughThePublicApi(@TempDir Path dir) throws Exception {
    Path dialogue = Path.of("dsl-examples/ssh/runbook.yaml").toAbsolutePath();
    Path hosts = dialogue.resolveSibling("hosts.ini");
    Dialogue runbook = Dialogue.load(dialogue).get(0);
    RunOptions options = new RunOptions().setInventory(hosts);
    assertThat(Promptly.runNames(runbook, options))
        .containsExactly("runbook@web1", "runbook@web2");
    assertThat(Promptly.runNames(runbook, options.setLimit("web2")))
        .containsExactly("runbook@web2");
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "all:\n  hosts: [not, a, map]\n");
    assertThatThrownBy(() -> new RunOptions().setInventory(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad.toString() + ":");
    assertThatThrownBy(() -> new RunOptions().setInventory(dir.resolve("missing.ini")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.ini");
  }

  @Test
  void closeStopsARunInProgressAndItsChild() throws Exception {
    Promptly promptly = Promptly.create();
    Dialogue d = DialogueBuilder.named("sleeper").command("sh", "-c", "echo pid=$$; sleep 1000")
        .expect(Expectation.regex("pid=(?<pid>\\d+)\n"))
        .expect(Duration.ofSeconds(300), Expectation.literal("never"))
        .build();
    Future<List<RunResult>> run = promptly.run(List.of(d), new RunOptions());
    // The public API gives a run's pid only in its result: find the child in this JVM's
    // process table, as TestRuns does.
    long child = -1;
    for (int i = 0; i < 600 && child < 0; i++) {
      child = ProcessHandle.current().descendants()
          .filter(h -> h.info().commandLine().orElse("").contains("sleep 1000"))
          .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
      if (child < 0) {
        Thread.sleep(50); // polling the process table: there is no event to wait on
      }
    }
    assertThat(child).as("the run's child started").isPositive();
    await(promptly.close());
    List<RunResult> results = await(run);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).passed()).isFalse();
    assertThat(results.get(0).failure()).contains("the Promptly instance was closed");
    assertThat(TestRuns.stillAliveAfter(child, 5000)).as("child %d", child).isFalse();
  }
}
