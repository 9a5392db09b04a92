package dev.promptly.process.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.process.ChildProcess;
import dev.promptly.process.ExitStatus;
import dev.promptly.process.Signals;
import dev.promptly.process.SpawnException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.io.nio2.Nio2Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSH child against a real OpenSSH sshd. */
class SshChildTest {
  @TempDir
  static Path dir;
  static Sshd sshd;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    sshd = Sshd.start(dir);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    if (sshd != null) {
      sshd.close();
    }
  }

  /** What a run of {@code command} gave: its output and exit status, or its failure. */
  record Outcome(String output, ExitStatus status, String failure) {
  }

  static Outcome run(SshConnections c, SshTarget t, String command, String input)
      throws Exception {
    Context ctx = vertx.getOrCreateContext();
    Promise<Outcome> done = Promise.promise();
    ctx.runOnContext(v -> c.open(t, command, null, ctx).onComplete(ar -> {
      if (ar.failed()) {
        done.complete(new Outcome(null, null, ar.cause() instanceof SpawnException
            ? ar.cause().getMessage() : ar.cause().toString()));
        return;
      }
      ChildProcess child = ar.result();
      Buffer out = Buffer.buffer();
      Promise<Void> ended = Promise.promise();
      child.output().handler(out::appendBuffer).endHandler(ended::complete);
      Future<Void> sent = input == null ? Future.succeededFuture()
          : child.input().write(Buffer.buffer(input));
      sent.compose(x -> child.closeInput()).compose(x -> ended.future())
          .compose(x -> child.exit()).onComplete(e -> done.complete(
              new Outcome(out.toString(), e.result(), e.failed() ? e.cause().toString() : null)));
    }));
    return done.future().await(60, TimeUnit.SECONDS);
  }

  static String fingerprint(Path pub) throws Exception {
    return KeyUtils.getFingerPrint(PublicKeyEntry.parsePublicKeyEntry(Files.readString(pub)
        .strip()).resolvePublicKey(null, null, null));
  }

  @Test
  void runsACommandAndGivesItsOutputInputAndExitStatus() throws Exception {
    Files.writeString(sshd.knownHosts, sshd.knownHostsLine());
    SshConnections c = SshConnections.acquire(vertx);
    try {
      Outcome o = run(c, sshd.target(SshTarget.HostKeyCheck.STRICT),
          "read x; echo got $x; echo to-stderr >&2; exit 3", "hello\n");
      assertThat(o.failure()).isNull();
      assertThat(o.output()).contains("got hello").contains("to-stderr");
      assertThat(o.status()).isEqualTo(ExitStatus.exited(3));

      Outcome killed = run(c, sshd.target(SshTarget.HostKeyCheck.STRICT),
          "echo dying; kill -TERM $$", null);
      assertThat(killed.output()).contains("dying");
      assertThat(killed.status()).isEqualTo(ExitStatus.killed(Signals.SIGTERM));
    } finally {
      c.release();
    }
  }

  /**
   * Prompts and answers are a few bytes each: with Nagle's algorithm on the socket, an answer
   * written while the previous one is unacknowledged waits for the server's delayed ACK (40 ms on
   * Linux), and a 3-prompt run took 65 ms instead of 25.
   */
  @Test
  void theConnectionSendsSmallWritesAtOnce() throws Exception {
    Files.writeString(sshd.knownHosts, sshd.knownHostsLine());
    SshConnections c = SshConnections.acquire(vertx);
    try {
      SshTarget t = sshd.target(SshTarget.HostKeyCheck.STRICT);
      assertThat(run(c, t, "echo hi", null).output()).isEqualTo("hi\n");
      List<ClientSession> sessions = c.sessions(t);
      assertThat(sessions).isNotEmpty();
      for (ClientSession s : sessions) {
        AsynchronousSocketChannel socket = ((Nio2Session) s.getIoSession()).getSocket();
        assertThat(socket.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
      }
    } finally {
      c.release();
    }
  }

  @Test
  void manyRunsToOneHostShareFewConnections() throws Exception {
    Files.writeString(sshd.knownHosts, sshd.knownHostsLine());
    long before = sshd.connections();
    SshConnections c = SshConnections.acquire(vertx);
    try {
      List<java.util.concurrent.Future<Outcome>> all = new ArrayList<>();
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors
          .newFixedThreadPool(20);
      for (int i = 0; i < 20; i++) {
        int n = i;
        all.add(pool.submit(() -> run(c, sshd.target(SshTarget.HostKeyCheck.STRICT),
            "echo run " + n, null)));
      }
      pool.shutdown();
      for (int i = 0; i < 20; i++) {
        Outcome o = all.get(i).get(90, TimeUnit.SECONDS);
        assertThat(o.failure()).isNull();
        assertThat(o.output()).contains("run " + i);
        assertThat(o.status()).isEqualTo(ExitStatus.exited(0));
      }
      // 20 runs at once, 10 channels a connection: 2 connections (1 if they came in turn).
      assertThat(c.connectionsOpened()).isBetween(1, 3);
    } finally {
      c.release();
    }
    assertThat(sshd.connections() - before).isBetween(1L, 3L);
  }

  @Test
  void unknownHostKeyFailsUnderStrictAndIsRecordedByAcceptNew() throws Exception {
    Files.deleteIfExists(sshd.knownHosts);
    String fp = fingerprint(sshd.dir.resolve("host_key.pub"));
    SshConnections c = SshConnections.acquire(vertx);
    try {
      Outcome strict = run(c, sshd.target(SshTarget.HostKeyCheck.STRICT), "true", null);
      assertThat(strict.failure()).contains("host key unknown").contains("[127.0.0.1]:"
          + sshd.port).contains(fp).doesNotContain("\n");

      Outcome acceptNew = run(c, sshd.target(SshTarget.HostKeyCheck.ACCEPT_NEW), "echo ok",
          null);
      assertThat(acceptNew.failure()).isNull();
      assertThat(acceptNew.status()).isEqualTo(ExitStatus.exited(0));
      assertThat(Files.readString(sshd.knownHosts)).contains("[127.0.0.1]:" + sshd.port);
    } finally {
      c.release();
    }
    // Recorded: a new invocation under strict now passes.
    SshConnections again = SshConnections.acquire(vertx);
    try {
      assertThat(run(again, sshd.target(SshTarget.HostKeyCheck.STRICT), "true", null).status())
          .isEqualTo(ExitStatus.exited(0));
    } finally {
      again.release();
    }
  }

  @Test
  void changedHostKeyFailsNamingBothFingerprints() throws Exception {
    Path other = dir.resolve("other_key");
    new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString())
        .start().waitFor();
    String[] pub = Files.readString(dir.resolve("other_key.pub")).strip().split(" ");
    Files.writeString(sshd.knownHosts, "[127.0.0.1]:" + sshd.port + " " + pub[0] + " " + pub[1]
        + "\n");
    SshConnections c = SshConnections.acquire(vertx);
    try {
      for (SshTarget.HostKeyCheck check : List.of(SshTarget.HostKeyCheck.STRICT,
          SshTarget.HostKeyCheck.ACCEPT_NEW)) {
        Outcome o = run(c, sshd.target(check), "true", null);
        assertThat(o.failure()).contains("host key CHANGED for [127.0.0.1]:" + sshd.port)
            .contains(fingerprint(dir.resolve("other_key.pub")))
            .contains(fingerprint(sshd.dir.resolve("host_key.pub")));
      }
    } finally {
      c.release();
    }
  }

  @Test
  void wrongUserKeyFailsAuthenticationNamingWhatWasTried() throws Exception {
    Files.writeString(sshd.knownHosts, sshd.knownHostsLine());
    Path wrong = dir.resolve("wrong_key");
    new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", wrong.toString())
        .start().waitFor();
    SshTarget t = sshd.target(SshTarget.HostKeyCheck.STRICT);
    SshTarget wrongKey = new SshTarget(t.host(), t.port(), t.user(), wrong, null, null,
        t.knownHosts(), t.hostKeyCheck());
    SshConnections c = SshConnections.acquire(vertx);
    try {
      Outcome o = run(c, wrongKey, "true", null);
      assertThat(o.failure()).contains("authentication failed for " + sshd.user)
          .contains("tried: publickey").contains("wrong_key").doesNotContain("\n");

      SshTarget refused = new SshTarget(t.host(), freePort(), t.user(), t.identity(), null, null,
          t.knownHosts(), t.hostKeyCheck());
      assertThat(run(c, refused, "true", null).failure()).endsWith("connection refused");
      SshTarget unresolvable = new SshTarget("no-such-host.invalid", 22, t.user(), t.identity(),
          null, null, t.knownHosts(), t.hostKeyCheck());
      assertThat(run(c, unresolvable, "true", null).failure())
          .endsWith("cannot resolve the host name");
    } finally {
      c.release();
    }
  }

  @Test
  void aServerThatNeverAnswersTimesOutInOneLine() throws Exception {
    // Accepts connections (the kernel's backlog does) and never says a word.
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 10,
        java.net.InetAddress.getLoopbackAddress())) {
      SshTarget t = sshd.target(SshTarget.HostKeyCheck.STRICT);
      SshTarget mute = new SshTarget(t.host(), silent.getLocalPort(), t.user(), t.identity(),
          null, null, t.knownHosts(), t.hostKeyCheck());
      SshConnections c = SshConnections.acquire(vertx)
          .limits(SshConnections.CONNECTIONS_PER_TARGET, java.time.Duration.ofSeconds(2));
      try {
        assertThat(run(c, mute, "true", null).failure()).isEqualTo(mute.key()
            + ": timed out connecting and logging in after 2s");
      } finally {
        c.limits(SshConnections.CONNECTIONS_PER_TARGET, SshConnections.LOGIN_TIMEOUT);
        c.release();
      }
    }
  }

  static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
