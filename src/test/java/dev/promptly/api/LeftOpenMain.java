package dev.promptly.api;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/**
 * A library user's program that ends without closing what it opened (run in a JVM of its own by
 * {@link LibraryPromisesTest}): it prints the pid of its child, then returns from main
 * ({@code blocking}) or calls System.exit ({@code async}).
 */
public final class LeftOpenMain {
  private LeftOpenMain() {
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("blocking")) {
      BlockingSession s = Promptly.blocking().spawn("sleep", "1000");
      System.out.println("pid " + s.pid());
      System.out.flush();
      return; // never closed: the JVM must still end, and the child with it
    }
    Promptly promptly = Promptly.create();
    Future<Session> f = promptly.spawn("sleep", "1000");
    Session s = f.await(20, TimeUnit.SECONDS);
    System.out.println("pid " + s.pid());
    System.out.flush();
    System.exit(0);
  }
}
