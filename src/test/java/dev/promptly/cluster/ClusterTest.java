package dev.promptly.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A coordinator and two workers as real JVMs on loopback, one of them killed with SIGKILL. */
class ClusterTest {
  @TempDir
  Path dir;

  private final List<Process> jvms = new ArrayList<>();

  @AfterEach
  void reap() throws InterruptedException {
    for (Process p : jvms) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private Process jvm(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx160m", "-Xss512k",
        "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"),
        "dev.promptly.cli.Main"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    jvms.add(p);
    return p;
  }

  private Process worker(Path log, String name, String join, String... more) throws IOException {
    List<String> args = new ArrayList<>(List.of("worker", "--join", join, "--cluster-port",
        "" + freePort(), "--name", name));
    args.addAll(List.of(more));
    return jvm(log, args.toArray(String[]::new));
  }

  /**
   * A dialogue NAME with one run per value of n: {@code sh -c 'SCRIPT} (the script closes the
   * quote and may add arguments), sent {@code v${n}}, expecting {@code got v${n}} then eof.
   */
  private Path dialogue(String name, String script, String more, String values)
      throws IOException {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, "name: " + name + "\ncommand: [sh, -c, '" + script + "]\n" + more
        + "matrix: {n: [" + values + "]}\n"
        + "steps:\n  - sendline: \"v${n}\"\n  - expect: \"got v${n}\"\n  - expect: eof\n");
    return file;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String waitFor(Path log, String text, long seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      String s = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      if (s.contains(text)) {
        return s;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no '" + text + "' within " + seconds + "s in " + log + ":\n"
        + (Files.exists(log) ? Files.readString(log) : ""));
  }

  private static long count(String text, String what) {
    return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(what)).matcher(text)
        .results().count();
  }

  @Test
  void sixtyRunsOverTwoWorkersSurviveAKilledWorker() throws Exception {
    String marker = "promptly-cluster-" + UUID.randomUUID();
    String values = IntStream.rangeClosed(1, 60).mapToObj(Integer::toString)
        .collect(Collectors.joining(", "));
    Path dialogue = dialogue("c", "sleep 0.3; read x; echo \"got $x\"', " + marker, "",
        values);
    int port = freePort();
    String join = "127.0.0.1:" + port;
    Path junit = dir.resolve("junit.xml");
    Path json = dir.resolve("report.json");
    Path clog = dir.resolve("coordinator.log");
    Process coordinator = jvm(clog, "run", "--cluster", "--cluster-port", "" + port, "--join",
        join, "--join-timeout", "60s", "--junit", junit.toString(), "--json", json.toString(),
        dialogue.toString());
    waitFor(clog, "waiting for workers", 60);
    Path w1log = dir.resolve("w1.log");
    Path w2log = dir.resolve("w2.log");
    worker(w1log, "w1", join, "--jobs", "2");
    Process w2 = worker(w2log, "w2", join, "--jobs", "2");
    // Mid-way: once w2 has finished a few runs, it dies without a word.
    waitFor(clog, "@w2  ", 90);
    String before = waitFor(clog, "PASS c[n=1", 90);
    List<ProcessHandle> w2children = w2.descendants().toList();
    w2.destroyForcibly();
    assertThat(coordinator.waitFor(90, TimeUnit.SECONDS)).as("coordinator ends").isTrue();
    String out = Files.readString(clog);
    assertThat(coordinator.exitValue()).as(out).isZero();
    assertThat(out).contains("worker w2 lost");
    // A worker's start says nothing but that it joined: no warning of Vert.x's.
    assertThat(Files.readString(w1log)).contains("worker w1 joined")
        .doesNotContain("WARN");
    String xml = Files.readString(junit);
    for (int n = 1; n <= 60; n++) {
      assertThat(count(xml, "name=\"c[n=" + n + "]\"")).as("run %d once", n).isEqualTo(1);
    }
    assertThat(count(xml, "<testcase")).isEqualTo(60);
    assertThat(xml).doesNotContain("<failure").doesNotContain("<error");
    assertThat(xml).contains("after worker w2 was lost");
    // The JSON report marks the same runs, with the lost worker's name.
    var runs = new io.vertx.core.json.JsonObject(Files.readString(json)).getJsonArray("runs");
    assertThat(runs.size()).isEqualTo(60);
    List<io.vertx.core.json.JsonObject> retried = runs.stream()
        .map(o -> ((io.vertx.core.json.JsonObject) o).getJsonObject("cluster"))
        .filter(c -> c.getBoolean("retried")).toList();
    assertThat(retried).isNotEmpty().allSatisfy(c -> {
      assertThat(c.getJsonArray("lostWorkers").getList()).containsExactly("w2");
      assertThat(c.getString("worker")).isEqualTo("w1");
      assertThat(c.getInteger("attempts")).isEqualTo(2);
    });
    assertThat(count(xml, "after worker w2 was lost")).isEqualTo(retried.size());
    assertThat(before).isNotNull();
    // No child left on any worker (the killed worker's children end when their pipes close).
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("")
        .contains(marker)) && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("")
        .contains(marker)).toList()).isEmpty();
    w2children.forEach(c -> assertThat(c.isAlive()).isFalse());
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void tlsMembersRunAndAWrongCertificateOrClusterKeyIsRefused() throws Exception {
    // Two CAs: the cluster's, and a stranger's whose certificate the cluster must refuse.
    Path tls = dir.resolve("tls");
    Path other = dir.resolve("other");
    tlsFolders(tls, "coordinator", "good", "keyless");
    tlsFolders(other, "stranger");
    // What a killed worker left behind (a pid no process has): the next worker removes it.
    Path left = Files.createDirectories(dir.resolve("promptly-worker-2147483646-x/run-1"));
    // The runs wait for GO, so the coordinator is still there when the refused ones knock.
    Path go = dir.resolve("GO");
    Path dialogue = dialogue("t", "while [ ! -f " + go + " ]; do sleep 0.1; done; read x; "
        + "echo \"got $x\"'", "timeout: 120s\n", "1, 2, 3, 4");
    int port = freePort();
    String join = "127.0.0.1:" + port;
    Path junit = dir.resolve("tls-junit.xml");
    Path clog = dir.resolve("coordinator.log");
    Process coordinator = jvm(clog, "run", "--cluster", "--cluster-port", "" + port, "--join",
        join, "--cluster-key", "k1", "--cluster-tls", tls.resolve("coordinator").toString(),
        "--join-timeout", "90s", "--junit", junit.toString(), dialogue.toString());
    waitFor(clog, "waiting for workers", 60);
    Path strangerLog = dir.resolve("stranger.log");
    Path keylessLog = dir.resolve("keyless.log");
    Process stranger = worker(strangerLog, "stranger", join, "--cluster-key", "k1",
        "--cluster-tls", other.resolve("stranger").toString());
    Process keyless = worker(keylessLog, "keyless", join, "--cluster-key", "k2",
        "--cluster-tls", tls.resolve("keyless").toString());
    worker(dir.resolve("good.log"), "good", join, "--cluster-key", "k1", "--cluster-tls",
        tls.resolve("good").toString());
    assertThat(stranger.waitFor(90, TimeUnit.SECONDS)).as("stranger refused").isTrue();
    assertThat(stranger.exitValue()).isEqualTo(2);
    assertThat(Files.readString(strangerLog)).contains("worker stranger stops: the TLS "
        + "handshake with the event bus of 127.0.0.1:").contains("same CA");
    assertThat(keyless.waitFor(90, TimeUnit.SECONDS)).as("other key refused").isTrue();
    assertThat(keyless.exitValue()).isEqualTo(2);
    assertThat(Files.readString(keylessLog)).contains("worker keyless stops: refused by the "
        + "cluster at 127.0.0.1:" + port + ": it has another cluster name or key");
    assertThat(Files.readString(clog)).contains("refused a member at 127.0.0.1:")
        .doesNotContain("@stranger").doesNotContain("@keyless");
    Files.writeString(go, "");
    assertThat(coordinator.waitFor(90, TimeUnit.SECONDS)).as("coordinator ends").isTrue();
    String out = Files.readString(clog);
    assertThat(coordinator.exitValue()).as(out).isZero();
    assertThat(out).contains("PASS t[n=4]@good");
    assertThat(count(Files.readString(junit), "<testcase")).isEqualTo(4);
    assertThat(left.getParent()).doesNotExist();
  }

  @Test
  void aStoppedWorkerIsTimedOutAndInterruptStopsEveryRunOnEveryWorker() throws Exception {
    String marker = "promptly-cluster-" + UUID.randomUUID();
    // Runs that stay in flight until they are stopped.
    Path dialogue = dialogue("s", "read x; echo \"got $x\"; sleep 300', " + marker,
        "timeout: 400s\n", "1, 2, 3, 4, 5, 6");
    int port = freePort();
    String join = "127.0.0.1:" + port;
    Path junit = dir.resolve("stop-junit.xml");
    Path clog = dir.resolve("coordinator.log");
    Process coordinator = jvm(clog, "run", "--cluster", "--cluster-port", "" + port, "--join",
        join, "--join-timeout", "90s", "--grace", "1s", "--junit", junit.toString(),
        dialogue.toString());
    waitFor(clog, "waiting for workers", 60);
    Process w1 = worker(dir.resolve("w1.log"), "w1", join, "--jobs", "2");
    Process w2 = worker(dir.resolve("w2.log"), "w2", join, "--jobs", "2");
    waitForCount(clog, "@w1] got", 2, 120);
    waitForCount(clog, "@w2] got", 2, 120);
    // SIGSTOP: w2 answers nothing, its connection stays open; only the heartbeat timeout tells.
    long t0 = System.nanoTime();
    signal(w2, "STOP");
    String lost = waitFor(clog, "worker w2 lost; 2 run(s) re-queued", 60);
    long detected = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    assertThat(detected).as("detected by the heartbeat timeout").isLessThan(40);
    assertThat(lost).contains("(1 worker left)");
    // Woken up, w2 finds itself cut off: it stops the runs the coordinator gave to others.
    signal(w2, "CONT");
    waitUntil(() -> w2.descendants().findAny().isEmpty(), 90, () -> "w2's children stopped:\n"
        + Files.readString(dir.resolve("w2.log")));
    // ^C on the coordinator: every run on every worker stops, the reports are written.
    assertThat(w1.descendants().count()).as("w1 still runs its two").isGreaterThan(0);
    signal(coordinator, "INT");
    assertThat(coordinator.waitFor(90, TimeUnit.SECONDS)).as("coordinator ends").isTrue();
    String out = Files.readString(clog);
    assertThat(coordinator.exitValue()).as(out).isEqualTo(130);
    waitUntil(() -> w1.descendants().findAny().isEmpty(), 60, "w1's children stopped");
    waitUntil(() -> ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine()
        .orElse("").contains(marker)), 30, "no child with the marker left");
    assertThat(w1.isAlive()).as("workers outlive a coordinator").isTrue();
    String xml = Files.readString(junit);
    assertThat(count(xml, "<testcase")).isEqualTo(6);
  }

  private static void signal(Process p, String sig) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + sig, "" + p.pid()).start().waitFor()).isZero();
  }

  private static void waitForCount(Path log, String text, int n, long seconds)
      throws Exception {
    waitUntil(() -> count(Files.readString(log), text) >= n, seconds,
        n + " x '" + text + "' in " + log);
  }

  interface Check {
    boolean ok() throws Exception;
  }

  interface Why {
    String text() throws Exception;
  }

  private static void waitUntil(Check check, long seconds, String what) throws Exception {
    waitUntil(check, seconds, () -> what);
  }

  private static void waitUntil(Check check, long seconds, Why what) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!check.ok()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + seconds + "s: " + what.text());
      }
      Thread.sleep(100);
    }
  }

  private static void tlsFolders(Path dir, String... names) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("scripts/cluster-tls", dir.toString()));
    cmd.addAll(List.of(names));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void noWorkerIsAClearErrorAfterTheJoinTimeout() throws Exception {
    Path dialogue = dir.resolve("d.yaml");
    Files.writeString(dialogue, "name: d\ncommand: [cat]\nsteps:\n  - close: stdin\n"
        + "  - expect: eof\n");
    Path log = dir.resolve("alone.log");
    long t0 = System.nanoTime();
    Process p = jvm(log, "run", "--cluster", "--cluster-port", "" + freePort(),
        "--join-timeout", "3s", dialogue.toString());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ends, no hang").isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isNotZero();
    assertThat(out).contains("no worker joined within 3s");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(60);
    assertThat(leftovers()).isEmpty();
  }

  private List<Path> leftovers() throws IOException {
    try (var s = Files.list(dir)) {
      return s.filter(p -> {
        String n = p.getFileName().toString().toLowerCase();
        // (A SIGKILLed worker's scratch folders stay behind: only it could remove them.)
        return n.startsWith("vertx-cache") || n.contains("hazelcast");
      }).toList();
    }
  }
}
