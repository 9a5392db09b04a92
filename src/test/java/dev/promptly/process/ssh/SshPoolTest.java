package dev.promptly.process.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.process.ChildProcess;
import dev.promptly.process.ExitStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs to one host against an sshd that allows only 3 sessions per connection (MaxSessions 3):
 * channels it refuses are opened on other connections, or once a channel closes; none fails.
 */
class SshPoolTest {
  static final int MAX_SESSIONS = 3;
  @TempDir
  static Path dir;
  static Sshd sshd;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    sshd = Sshd.start(dir, "MaxSessions " + MAX_SESSIONS);
    Files.writeString(sshd.knownHosts, sshd.knownHostsLine());
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

  /** Runs of {@code read x; echo got $x}: each keeps its channel until the test answers it. */
  static final class Runs {
    final List<Future<ChildProcess>> children = new ArrayList<>();
    final CountDownLatch opened;
    final CountDownLatch succeeded;

    Runs(SshConnections c, int n, int awaited) {
      opened = new CountDownLatch(n);
      succeeded = new CountDownLatch(awaited);
      Context ctx = vertx.getOrCreateContext();
      for (int i = 0; i < n; i++) {
        Promise<ChildProcess> p = Promise.promise();
        ctx.runOnContext(v -> c.open(sshd.target(SshTarget.HostKeyCheck.STRICT),
            "read x; echo got $x", null, ctx).onComplete(p));
        p.future().onComplete(ar -> opened.countDown()).onSuccess(x -> succeeded.countDown());
        children.add(p.future());
      }
    }

    /** Answers run {@code i} and gives what it printed and how it ended. */
    String answer(int i) throws Exception {
      ChildProcess child = children.get(i).await(60, TimeUnit.SECONDS);
      Buffer out = Buffer.buffer();
      Promise<Void> ended = Promise.promise();
      child.output().handler(out::appendBuffer).endHandler(ended::complete);
      ExitStatus status = child.input().write(Buffer.buffer("run" + i + "\n"))
          .compose(x -> child.closeInput()).compose(x -> ended.future())
          .compose(x -> child.exit()).await(60, TimeUnit.SECONDS);
      return out + "/" + status;
    }
  }

  @Test
  void moreRunsAtOnceThanMaxSessionsAllPassOverFewConnections() throws Exception {
    long before = sshd.connections();
    SshConnections c = SshConnections.acquire(vertx);
    try {
      int n = 4 * MAX_SESSIONS;
      Runs runs = new Runs(c, n, n);
      // Every channel is open at once (none answered yet): 12 sessions over 4 connections.
      assertThat(runs.opened.await(90, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < n; i++) {
        assertThat(runs.children.get(i).succeeded()).as("run %d: %s", i,
            runs.children.get(i).cause()).isTrue();
      }
      for (int i = 0; i < n; i++) {
        assertThat(runs.answer(i)).isEqualTo("got run" + i + "\n/" + ExitStatus.exited(0));
      }
      assertThat(c.connectionsOpened()).isBetween(n / MAX_SESSIONS,
          SshConnections.CONNECTIONS_PER_TARGET);
    } finally {
      c.release();
    }
    long connections = sshd.connections() - before;
    assertThat(connections).isBetween(4L, (long) SshConnections.CONNECTIONS_PER_TARGET);
  }

  @Test
  void runsWaitForAFreeChannelWhenNoMoreConnectionsMayOpen() throws Exception {
    long before = sshd.connections();
    SshConnections c = SshConnections.acquire(vertx).limits(2, SshConnections.LOGIN_TIMEOUT);
    try {
      int n = 2 * MAX_SESSIONS + 2;
      Runs runs = new Runs(c, n, 2 * MAX_SESSIONS);
      // Two connections of three sessions: six runs get a channel, two wait for one.
      assertThat(runs.succeeded.await(90, TimeUnit.SECONDS)).isTrue();
      List<Integer> open = new ArrayList<>();
      List<Integer> waiting = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        (runs.children.get(i).succeeded() ? open : waiting).add(i);
      }
      assertThat(open).hasSize(2 * MAX_SESSIONS);
      for (int i : waiting) {
        assertThat(runs.children.get(i).isComplete()).as("run %d waits", i).isFalse();
      }
      for (int i : open) {
        assertThat(runs.answer(i)).isEqualTo("got run" + i + "\n/" + ExitStatus.exited(0));
      }
      for (int i : waiting) {
        assertThat(runs.answer(i)).isEqualTo("got run" + i + "\n/" + ExitStatus.exited(0));
      }
      assertThat(c.connectionsOpened()).isEqualTo(2);
    } finally {
      c.limits(SshConnections.CONNECTIONS_PER_TARGET, SshConnections.LOGIN_TIMEOUT);
      c.release();
    }
    assertThat(sshd.connections() - before).isEqualTo(2L);
  }
}
