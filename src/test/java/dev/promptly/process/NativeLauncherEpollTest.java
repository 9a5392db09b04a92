package dev.promptly.process;

import static org.assertj.core.api.Assertions.assertThat;

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
    Transport epoll = EpollLoops.transport();
    assertThat(epoll).as("epoll must load on the Linux x86_64 machines promptly is tested on")
        .isNotNull();
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
