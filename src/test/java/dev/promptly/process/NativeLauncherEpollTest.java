package dev.promptly.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every case of {@link NativeLauncherTest} again, on the transport promptly's own Vert.x runs on:
 * epoll, where each child's fds are watched by its own event loop ({@link LoopPoller}).
 */
class NativeLauncherEpollTest extends NativeLauncherTest {
  @BeforeAll
  static void start() {
    // promptly ships Netty's epoll library for x86_64 only; elsewhere the reactor is all there is.
    assumeTrue("amd64".equals(System.getProperty("os.arch")), "epoll is shipped for x86_64");
    Transport epoll = EpollLoops.transport();
    assertThat(epoll).as("epoll must load on Linux x86_64").isNotNull();
    vertx = Vertx.builder().withTransport(epoll).build();
    assertThat(vertx.isNativeTransportEnabled()).isTrue();
  }

  @Override
  Class<? extends Poller> expectedPoller() {
    return LoopPoller.class;
  }

  @Test
  void closingVertxKillsAndReapsTheChildrenItsLoopsStillWatch() throws Exception {
    Vertx own = Vertx.builder().withTransport(EpollLoops.transport()).build();
    ChildProcess child = NativeLauncher.instance().spawn(
        SpawnOptions.pipes(List.of("sleep", "60"), CWD, ENV), own.getOrCreateContext());
    long pid = child.pid();
    assertThat(ProcessHandle.of(pid)).isPresent();
    await(own.close());
    // Killed and reaped: no process, not even a zombie, has this pid any more.
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isEmpty();
  }
}
