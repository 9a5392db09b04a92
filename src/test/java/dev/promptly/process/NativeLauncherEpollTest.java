package dev.promptly.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
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

  @Test
  void aChildOfAWorkerContextIsWatchedByTheSharedReactor() throws Exception {
    Promise<Context> worker = Promise.promise();
    String id = await(vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        worker.complete(context);
      }
    }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
    try {
      Context ctx = await(worker.future());
      assertThat(ctx.isWorkerContext()).isTrue();
      ChildProcess child = NativeLauncher.instance().spawn(
          SpawnOptions.pipes(List.of("echo", "hi"), CWD, ENV), ctx);
      assertThat(((NativeChild) child).poller).isInstanceOf(Reactor.class);
      assertThat(await(child.exit()).code()).isZero();
    } finally {
      await(vertx.undeploy(id));
    }
  }
}
