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
    Path dialogue = dir.resolve("c.yaml");
    Files.writeString(dialogue, "name: c\n"
        + "command: [sh, -c, 'sleep 0.3; read x; echo \"got $x\"', " + marker + "]\n"
        + "matrix: {n: [" + values + "]}\n"
        + "steps:\n  - sendline: \"v${n}\"\n  - expect: \"got v${n}\"\n  - expect: eof\n");
    int port = freePort();
    String join = "127.0.0.1:" + port;
    Path junit = dir.resolve("junit.xml");
    Path clog = dir.resolve("coordinator.log");
    Process coordinator = jvm(clog, "run", "--cluster", "--cluster-port", "" + port, "--join",
        join, "--join-timeout", "60s", "--junit", junit.toString(), dialogue.toString());
    waitFor(clog, "waiting for workers", 60);
    Path w1log = dir.resolve("w1.log");
    Path w2log = dir.resolve("w2.log");
    jvm(w1log, "worker", "--join", join, "--cluster-port", "" + freePort(), "--name", "w1",
        "--jobs", "2");
    Process w2 = jvm(w2log, "worker", "--join", join, "--cluster-port", "" + freePort(),
        "--name", "w2", "--jobs", "2");
    // Mid-way: once w2 has finished a few runs, it dies without a word.
    waitFor(clog, "@w2  ", 90);
    String before = waitFor(clog, "PASS c[n=1", 90);
    List<ProcessHandle> w2children = w2.descendants().toList();
    w2.destroyForcibly();
    assertThat(coordinator.waitFor(90, TimeUnit.SECONDS)).as("coordinator ends").isTrue();
    String out = Files.readString(clog);
    assertThat(coordinator.exitValue()).as(out).isZero();
    assertThat(out).contains("worker w2 lost");
    String xml = Files.readString(junit);
    for (int n = 1; n <= 60; n++) {
      assertThat(count(xml, "name=\"c[n=" + n + "]\"")).as("run %d once", n).isEqualTo(1);
    }
    assertThat(count(xml, "<testcase")).isEqualTo(60);
    assertThat(xml).doesNotContain("<failure").doesNotContain("<error");
    assertThat(xml).contains("after worker w2 was lost");
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
    Path dialogue = dir.resolve("t.yaml");
    Files.writeString(dialogue, "name: t\ncommand: [sh, -c, 'read x; echo \"got $x\"']\n"
        + "matrix: {n: [1, 2, 3, 4]}\n"
        + "steps:\n  - sendline: \"v${n}\"\n  - expect: \"got v${n}\"\n  - expect: eof\n");
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
    Process stranger = jvm(strangerLog, "worker", "--join", join, "--cluster-port",
        "" + freePort(), "--name", "stranger", "--cluster-key", "k1", "--cluster-tls",
        other.resolve("stranger").toString());
    Process keyless = jvm(keylessLog, "worker", "--join", join, "--cluster-port",
        "" + freePort(), "--name", "keyless", "--cluster-key", "k2", "--cluster-tls",
        tls.resolve("keyless").toString());
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
    jvm(dir.resolve("good.log"), "worker", "--join", join, "--cluster-port", "" + freePort(),
        "--name", "good", "--cluster-key", "k1", "--cluster-tls",
        tls.resolve("good").toString());
    assertThat(coordinator.waitFor(90, TimeUnit.SECONDS)).as("coordinator ends").isTrue();
    String out = Files.readString(clog);
    assertThat(coordinator.exitValue()).as(out).isZero();
    assertThat(out).contains("PASS t[n=4]@good");
    assertThat(count(Files.readString(junit), "<testcase")).isEqualTo(4);
    assertThat(left.getParent()).doesNotExist();
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
