package dev.promptly.process;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.util.function.Consumer;

/**
 * The one place promptly uses Vert.x's internal API ({@code io.vertx.core.internal}), for two
 * things the public API does not offer. (The epoll transport {@link EpollLoops} extends is the
 * other internal type, and stays there because it is a subclass.)
 *
 * <ul>
 *   <li>A context's Netty event loop, so a child's fds are watched by the loop that runs its
 *       conversation ({@link LoopPoller}). Would be replaced by a public "register a file
 *       descriptor with this context" call, should Vert.x offer one.</li>
 *   <li>Close hooks: a child must end with its owner, whether that is a verticle being undeployed
 *       (its context closes) or the Vert.x instance being closed (every context closes). Vert.x
 *       runs a context's close hooks at both; the public API has only
 *       {@code Verticle.stop}, which a library cannot hook.</li>
 * </ul>
 */
public final class VertxInternals {
  private VertxInternals() {
  }

  /** The Netty event loop of an event-loop context, else null (a worker context, or none). */
  static EventLoop eventLoop(Context context) {
    if (context instanceof ContextInternal internal && internal.isEventLoopContext()) {
      return internal.nettyEventLoop();
    }
    return null;
  }

  /**
   * Calls {@code action} when {@code context} closes (its verticle is undeployed, or its Vert.x
   * instance closed); the close waits until the action calls the {@code Runnable} it is given.
   *
   * @return what removes the hook (call it once the action is no longer needed), never null
   */
  public static Runnable onClose(Context context, Consumer<Runnable> action) {
    if (!(context instanceof ContextInternal internal)) {
      return () -> { };
    }
    io.vertx.core.Closeable hook = completion -> {
      try {
        action.accept(completion::succeed);
      } catch (RuntimeException e) {
        completion.fail(e);
      }
    };
    internal.addCloseHook(hook);
    return () -> internal.removeCloseHook(hook);
  }
}
