package dev.promptly.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.engine.Engine;
import dev.promptly.api.RunOptions;
import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.engine.TestRuns;
import dev.promptly.hostile.Capture.Transcript;
import dev.promptly.match.LineTail;
import dev.promptly.report.RunResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Children that misbehave, each driven by a YAML dialogue through the real loader and engine
 * with a short timeout and grace period. For each: the run ends within its limits with the right
 * outcome, the observer's raw bytes (what a transcript is made of) hold exactly what the child
 * wrote, and no process, file descriptor or thread is left behind. Measured end times go to
 * {@code target/hostile-times.txt}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileChildrenTest {
  static final Path CHILDREN = TestRuns.CHILDREN;
  static final Path TIMES = Path.of("target/hostile-times.txt");
  static final Duration TIMEOUT = Duration.ofSeconds(1);
  static final Duration GRACE = Duration.ofMillis(300);
  /** Start-up of python, scheduling and reaping, on a loaded CI machine. */
  static final Duration MARGIN = Duration.ofMillis(1500);

  /** A failure shows the last lines, bounded in lines and in chars per line. */
  static final int MAX_FAILURE_CHARS =
      LineTail.DEFAULT_LINES * (LineTail.DEFAULT_LINE_CHARS + 16) + 2048;

  static Engine engine;

  @TempDir
  Path dir;
  private Leftovers before;
  private String testName;

  /** One run, as measured. */
  record Played(RunResult result, Transcript transcript, String text, Duration took) {
    String failure() {
      return String.valueOf(result.failure());
    }
  }

  @BeforeAll
  static void startEngine() throws IOException {
    engine = Engine.create();
    Files.createDirectories(TIMES.getParent());
    Files.writeString(TIMES, "# case, time to end the run, its limit, outcome\n");
    // Warm up: the I/O thread, class loading, and every event loop thread (each batch of runs
    // gets the next event loop, whose thread starts on first use) before anything is counted.
    Path warm = Files.createTempDirectory("hostile-warm");
    Path file = TestRuns.write(warm, "warm", """
        command: [sh, -c, "printf 'ready> '; read x; echo $x"]
        steps:
          - expect: "ready> "
            sendline: hi
          - expect: eof
        """);
    for (int i = 0; i <= 2 * Runtime.getRuntime().availableProcessors(); i++) {
      RunResult r = runFile(file, new Capture());
      assertThat(r.passed()).as(r.failure()).isTrue();
    }
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }

  @BeforeEach
  void count(TestInfo info) {
    testName = info.getTestMethod().orElseThrow().getName();
    before = Leftovers.now();
  }

  @AfterEach
  void nothingLeftBehind() throws InterruptedException {
    Leftovers after = Leftovers.settle(before, 3000);
    assertThat(after.fds()).as("open file descriptors").isLessThanOrEqualTo(before.fds());
    assertThat(after.children()).as("live descendant processes").isZero();
    assertThat(after.threads()).as("threads: %s", Leftovers.threadNames())
        .isLessThanOrEqualTo(before.threads());
  }

  private static RunResult runFile(Path file, Capture capture) {
    return runFile(file, capture, Map.of(), new long[1]);
  }

  /** Loads and runs; {@code took[0]} gets the nanoseconds of the run alone (not the loading). */
  private static RunResult runFile(Path file, Capture capture, Map<String, String> vars,
                                   long[] took) {
    LoadResult loaded = DialogueLoader.load(file, vars);
    assertThat(loaded.problems()).as("problems in the dialogue").isEmpty();
    RunOptions options = new RunOptions().setJobs(1).setTimeout(TIMEOUT).setGrace(GRACE);
    vars.forEach(options::putVar);
    try {
      long t0 = System.nanoTime();
      List<RunResult> results = engine.run(loaded.dialogues(), TestRuns.settings(options), capture)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      took[0] = System.nanoTime() - t0;
      assertThat(results).hasSize(1);
      return results.get(0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private Played play(String yaml, Duration limit) throws IOException {
    return play(yaml, Map.of(), limit);
  }

  /** Runs {@code yaml}; checks it ended within {@code limit} and records the time. */
  private Played play(String yaml, Map<String, String> vars, Duration limit) throws IOException {
    Capture capture = new Capture();
    Path file = TestRuns.write(dir, testName, yaml);
    long[] nanos = new long[1];
    RunResult r = runFile(file, capture, vars, nanos);
    Duration took = Duration.ofNanos(nanos[0]);
    Played p = new Played(r, capture.transcript(), capture.text(), took);
    String line = String.format("%-32s %6d ms  (limit %5d ms)  %s%n", testName, took.toMillis(),
        limit.toMillis(), r.passed() ? "passed, " + r.exitText()
            : "failed, " + r.exitText() + ": " + firstLine(r.failure()));
    System.out.print("hostile: " + line);
    Files.writeString(TIMES, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    assertThat(took).as("time to end the run").isLessThanOrEqualTo(limit);
    return p;
  }

  /** The usual bound: the step's timeout, the grace period, and a margin. */
  private static Duration bound(Duration timeout) {
    return timeout.plus(GRACE).plus(MARGIN);
  }

  /** The first line of a failure, with the dialogue file's folder left out. */
  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("").replaceFirst("\\(/\\S*/", "(");
  }

  /** The transcript holds exactly what the child wrote. */
  private static void assertTranscript(Played p, Transcript expected) {
    Transcript t = p.transcript();
    assertThat(t.length()).as("bytes in the transcript").isEqualTo(expected.length());
    assertThat(t.sha256()).as("SHA-256 of the transcript; it begins "
        + preview(t.head()) + ", expected " + preview(expected.head()))
        .isEqualTo(expected.sha256());
  }

  private static void assertTranscript(Played p, String expected) {
    assertTranscript(p, Transcript.of(expected.getBytes(StandardCharsets.UTF_8)));
  }

  private static String preview(byte[] b) {
    byte[] head = Arrays.copyOf(b, Math.min(b.length, 80));
    return HexFormat.of().formatHex(head);
  }

  private static String child(String name) {
    return CHILDREN.resolve(name).toString();
  }

  private static List<Long> pids(String text, String regex) {
    List<Long> pids = new ArrayList<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      pids.add(Long.parseLong(m.group(1)));
    }
    return pids;
  }

  @Test
  void ignoresSigterm() throws Exception {
    Played p = play("""
        command: [python3, %s]
        steps:
          - expect: "ignoring TERM> "
          - expect: "never written"
        """.formatted(child("ignore_term.py")), bound(TIMEOUT));
    assertThat(p.result().passed()).isFalse();
    assertThat(p.failure()).contains("step 2").contains("timed out")
        .contains("\"never written\"").contains("ignoring TERM> ");
    assertThat(p.result().signal()).as("ended by the group's SIGKILL").isEqualTo("SIGKILL");
    assertThat(p.took()).as("SIGKILL came after the grace period")
        .isGreaterThanOrEqualTo(TIMEOUT.plus(GRACE));
    assertTranscript(p, "ignoring TERM> ");
  }

  @Test
  void grandchildKeepsTheOutputOpenAfterTheChildExits() throws Exception {
    Played p = play("""
        command: [sh, %s]
        steps:
          - expect: {regex: 'grandchild (?<gc>\\d+)\\n'}
        exit: 0
        """.formatted(child("grandchild_holds_output.sh")), bound(TIMEOUT));
    assertThat(p.result().passed()).as(p.failure()).isTrue();
    assertThat(p.result().exitCode()).isZero();
    long grandchild = Long.parseLong(p.result().steps().get(0).captures().get("gc"));
    assertThat(Leftovers.stillAlive(List.of(grandchild), 2000)).as("the grandchild").isEmpty();
    assertTranscript(p, "grandchild " + grandchild + "\n");
  }

  @Test
  void grandchildLeavesTheSessionHoldingTheOutput() throws Exception {
    // No signal to the child's group reaches a process that made its own session (Tcl Expect
    // and pexpect cannot either): the run must still end on time and close its end of the pipe.
    // The test ends the escapee itself; it is no descendant of this JVM any more.
    Played p = play("""
        command: [sh, %s]
        steps:
          - expect: {regex: 'escaped (?<gc>\\d+)\\n'}
        exit: 0
        """.formatted(child("grandchild_leaves_session.sh")), bound(TIMEOUT));
    long escaped = Long.parseLong(p.result().steps().get(0).captures().get("gc"));
    try {
      assertThat(p.result().passed()).as(p.failure()).isTrue();
      assertTranscript(p, "escaped " + escaped + "\n");
    } finally {
      ProcessHandle.of(escaped).ifPresent(ProcessHandle::destroyForcibly);
      assertThat(Leftovers.stillAlive(List.of(escaped), 2000)).isEmpty();
    }
  }

  @Test
  void closesItsOutputButKeepsRunning() throws Exception {
    Played p = play("""
        command: [python3, %s]
        steps:
          - expect: {regex: 'pid (?<pid>\\d+) bye\\n'}
          - expect: "prompt> "
        """.formatted(child("closes_stdout.py")), bound(Duration.ZERO));
    assertThat(p.result().passed()).isFalse();
    assertThat(p.failure()).contains("step 2").contains("output ended")
        .contains("\"prompt> \"");
    long pid = Long.parseLong(p.text().replaceAll("(?s)pid (\\d+) bye.*", "$1"));
    assertThat(Leftovers.stillAlive(List.of(pid), 2000)).as("the child").isEmpty();
    assertThat(p.result().signal()).isEqualTo("SIGTERM");
    assertTranscript(p, "pid " + pid + " bye\n");
  }

  @Test
  void exitsBeforeReadingItsInput() throws Exception {
    Played p = play("""
        command: [python3, %s]
        steps:
          - expect: "prompt> "
          - sendline: "an answer nobody reads"
          - expect: eof
        """.formatted(child("exits_before_reading.py")), bound(Duration.ZERO));
    assertThat(p.result().passed()).isFalse();
    assertThat(p.failure()).contains("step 2").contains("could not send: ")
        .containsAnyOf("the child closed its input", "the child has exited");
    assertTranscript(p, "prompt> ");
  }

  @Test
  void fiftyMegabytesOnOneLine() throws Exception {
    // 50 MiB take 0.3-1.3 s to arrive (a cold JIT is the slow end): the limit is generous, the
    // run ends as soon as the prompt is answered.
    int mib = 50;
    Duration timeout = Duration.ofSeconds(5);
    Played p = play("""
        command: [python3, %s, "%d"]
        timeout: 5s
        steps:
          - expect: "END> "
            sendline: hi
          - expect: "got hi\\n"
          - expect: eof
        """.formatted(child("long_line.py"), mib), bound(timeout));
    assertThat(p.result().passed()).as(p.failure()).isTrue();
    byte[] block = new byte[1024 * 1024];
    Arrays.fill(block, (byte) 'x');
    byte[][] parts = new byte[mib + 1][];
    Arrays.fill(parts, 0, mib, block);
    parts[mib] = "END> got hi\n".getBytes(StandardCharsets.UTF_8);
    assertTranscript(p, Transcript.of(parts));
  }

  @Test
  void aFailureAfterAFiftyMegabyteLineShowsABoundedTail() throws Exception {
    // Input closed at once: the child writes its 50 MiB line and "END> got " and exits, and the
    // step fails on the end of output, showing a tail bounded however long the line.
    Duration timeout = Duration.ofSeconds(5);
    Played p = play("""
        command: [python3, %s, "50"]
        timeout: 5s
        steps:
          - close: stdin
          - expect: "never written"
        """.formatted(child("long_line.py")), bound(timeout));
    assertThat(p.result().passed()).isFalse();
    assertThat(p.failure()).contains("step 2").contains("output ended")
        .contains("xxxxEND> got ");
    assertThat(p.failure().length()).as("failure text").isLessThan(MAX_FAILURE_CHARS);
    assertThat(p.transcript().length()).isEqualTo(50L * 1024 * 1024 + 9);
    assertThat(p.result().bytesRead()).isEqualTo(50L * 1024 * 1024 + 9);
  }

  @Test
  void binaryOutputAndInvalidUtf8() throws Exception {
    Played p = play("""
        command: [python3, %s]
        steps:
          - expect: "Введите текст: "
            sendline: "ok"
          - expect: {regex: 'ok\\n\\x{0}done\\n'}
          - expect: eof
        """.formatted(child("binary_output.py")), bound(TIMEOUT));
    assertThat(p.result().passed()).as(p.failure()).isTrue();
    ByteArrayOutputStream want = new ByteArrayOutputStream();
    for (int i = 0; i < 4; i++) {
      for (int b = 0; b < 256; b++) {
        want.write(b);
      }
    }
    want.writeBytes(bytes(0x80, '|', 0xc3, '|', 0xe2, 0x82, '|', 0xc0, 0xaf, '|', 0xed, 0xa0,
        0x80, '|', 0xff, 0xfe, '|', 0xf4, 0x90, 0x80, 0x80, '|'));
    want.writeBytes("Введите текст: ".getBytes(StandardCharsets.UTF_8));
    want.writeBytes(bytes(0xff, 'o', 'k', '\n', 0, 'd', 'o', 'n', 'e', '\n'));
    assertTranscript(p, Transcript.of(want.toByteArray()));
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  @Test
  void promptWrittenOneByteAtATime() throws Exception {
    Played p = play("""
        command: [python3, %s]
        steps:
          - expect: "Введите текст: "
            sendline: "привет"
          - expect: "Вы ввели: привет\\n"
          - expect: eof
        """.formatted(child("byte_at_a_time.py")), bound(TIMEOUT));
    assertThat(p.result().passed()).as(p.failure()).isTrue();
    assertTranscript(p, "Введите текст: Вы ввели: привет\n");
  }

  @Test
  void readsItsInputGreedily() throws Exception {
    StringBuilder big = new StringBuilder();
    for (int i = 0; big.length() < 4 * 1024 * 1024; i++) {
      big.append("line ").append(i).append('\n');
    }
    byte[] sent = big.toString().getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(Capture.newDigest().digest(sent));
    Played p = play("""
        command: [python3, %s]
        steps:
          - expect: "ready> "
            send: "${big}"
          - close: stdin
          - expect: "read %d sha256 %s\\n"
          - expect: eof
        """.formatted(child("greedy_reader.py"), sent.length, sha),
        Map.of("big", big.toString()), bound(TIMEOUT));
    assertThat(p.result().passed()).as(p.failure()).isTrue();
    assertThat(p.result().bytesWritten()).isEqualTo(sent.length);
    assertTranscript(p, "ready> read " + sent.length + " sha256 " + sha + "\n");
  }

  @Test
  void sleepsForever() throws Exception {
    Played p = play("""
        command: [sleep, "1000"]
        steps:
          - expect: "never written"
        """, bound(TIMEOUT));
    assertThat(p.result().passed()).isFalse();
    assertThat(p.failure()).contains("step 1").contains("timed out after")
        .contains("\"never written\"");
    assertThat(p.result().signal()).isEqualTo("SIGTERM");
    assertThat(p.took()).isGreaterThanOrEqualTo(TIMEOUT);
    assertTranscript(p, "");
  }

  @Test
  void forksAHundredProcesses() throws Exception {
    Played p = play("""
        command: [sh, %s]
        steps:
          - expect: "forked all> "
          - expect: "never written"
        """.formatted(child("forks_100.sh")), bound(TIMEOUT.multipliedBy(2)));
    assertThat(p.result().passed()).isFalse();
    assertThat(p.failure()).contains("step 2").contains("timed out");
    List<Long> forked = pids(p.text(), "forked (\\d+)\\n");
    assertThat(forked).hasSize(100);
    assertThat(Leftovers.stillAlive(forked, 2000)).as("forked processes still alive").isEmpty();
    StringBuilder want = new StringBuilder();
    forked.forEach(pid -> want.append("forked ").append(pid).append('\n'));
    assertTranscript(p, want + "forked all> ");
  }

  @Test
  void floodsStderrBeforeItsPrompt() throws Exception {
    Played p = play("""
        command: [python3, %s]
        steps:
          - expect: "ready> "
            sendline: x
          - expect: "got x"
          - expect: eof
        """.formatted(child("stderr_flood.py")), bound(TIMEOUT));
    assertThat(p.result().passed()).as(p.failure()).isTrue();
    byte[] chunk = new byte[1024];
    Arrays.fill(chunk, (byte) 'E');
    chunk[1023] = '\n';
    byte[][] parts = new byte[10 * 1024 + 1][];
    Arrays.fill(parts, chunk);
    parts[10 * 1024] = "ready> got x\n".getBytes(StandardCharsets.UTF_8);
    assertTranscript(p, Transcript.of(parts));
  }

  @Test
  void floodsStderrForever() throws Exception {
    Played p = play("""
        command: [python3, %s]
        steps:
          - expect: "never written"
        """.formatted(child("stderr_flood_forever.py")), bound(TIMEOUT));
    assertThat(p.result().passed()).isFalse();
    assertThat(p.failure()).contains("timed out").contains("EEEE");
    assertThat(p.failure().length()).as("failure text").isLessThan(MAX_FAILURE_CHARS);
    assertThat(p.result().bytesRead()).isGreaterThan(1024 * 1024);
    assertThat(p.transcript().length()).isEqualTo(p.result().bytesRead());
    // Every 1 KiB line is the same: what was kept is a prefix of the endless repetition.
    byte[] head = p.transcript().head();
    for (int i = 0; i < head.length; i++) {
      if (head[i] != ((i % 1024) == 1023 ? '\n' : 'E')) {
        throw new AssertionError("byte " + i + " of the transcript is " + head[i]);
      }
    }
  }

  @Test
  void killedByASignal() throws Exception {
    Played p = play("""
        command: [python3, %s, SIGSEGV]
        steps:
          - expect: "ready> "
            sendline: go
          - expect: eof
        exit: 0
        """.formatted(child("killed_by_signal.py")), bound(TIMEOUT));
    assertThat(p.result().passed()).isFalse();
    assertThat(p.failure()).contains("killed by SIGSEGV").contains("expected exit 0");
    assertThat(p.result().signal()).isEqualTo("SIGSEGV");
    assertThat(p.result().exitText()).isEqualTo("killed by SIGSEGV");
    assertTranscript(p, "ready> dying by SIGSEGV\n");
  }
}
