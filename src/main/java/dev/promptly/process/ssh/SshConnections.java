package dev.promptly.process.ssh;

import dev.promptly.process.ChildProcess;
import dev.promptly.process.SpawnException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH connections of one invocation: one MINA client, and per target ({@code user@host:port}
 * and its settings) connections opened on first use and shared by every run to it, each carrying
 * up to {@link #CHANNELS_PER_CONNECTION} channels (OpenSSH's MaxSessions default) before another
 * is opened, or fewer once the server refused one (its own limit, learned per connection). At most
 * {@link #CONNECTIONS_PER_TARGET} per target; beyond that a run waits for a channel to close.
 * Reference-counted per Vert.x instance: whoever runs many runs holds it for the whole
 * batch ({@link #acquire}/{@link #release}), and the last release closes every connection.
 */
public final class SshConnections {
  static final Logger LOG = LoggerFactory.getLogger(SshConnections.class);
  /** OpenSSH's sshd allows 10 sessions per connection by default (MaxSessions). */
  public static final int CHANNELS_PER_CONNECTION = 10;
  /**
   * At most this many connections to one target: past it a run waits for a channel to close
   * (sshd's MaxStartups starts refusing unauthenticated connections at 10 by default).
   */
  public static final int CONNECTIONS_PER_TARGET = 8;
  /**
   * A run whose channel is refused this many times fails (a server that refuses even the first
   * channel of a connection does so in well under a minute of retries).
   */
  static final int REFUSALS = 40;
  /** Connecting, key exchange and login together (OpenSSH's ConnectTimeout is off by default). */
  static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(45);
  private static final Map<Vertx, SshConnections> SHARED = new HashMap<>();
  private static final List<String> DEFAULT_KEYS = List.of("id_ed25519", "id_ecdsa", "id_rsa");

  private final Vertx vertx;
  /** Started on the first connection: a batch of local runs never pays for it. */
  private SshClient client;
  private final Map<SshTarget, Target> pool = new HashMap<>();
  private int references;
  private int connectionsPerTarget = CONNECTIONS_PER_TARGET;
  private Duration loginTimeout = LOGIN_TIMEOUT;
  private volatile int opened;

  /**
   * One shared connection. {@code channels} counts the channels given out (opening or open),
   * {@code open} those the server confirmed; {@code limit} starts at OpenSSH's default and drops
   * to what the server really allows the first time it refuses a channel. Guarded by the pool.
   */
  static final class Connection {
    final Future<ClientSession> session;
    int channels;
    int open;
    int limit = CHANNELS_PER_CONNECTION;
    /** A channel was open on it once: a refusal there is about the server's limit. */
    boolean used;

    Connection(Future<ClientSession> session) {
      this.session = session;
    }

    boolean alive() {
      return !session.isComplete() || (session.succeeded() && session.result().isOpen());
    }
  }

  /** The connections to one target, and the runs waiting for a channel when all are full. */
  private static final class Target {
    final List<Connection> connections = new ArrayList<>();
    final Deque<Promise<Connection>> waiting = new ArrayDeque<>();
  }

  private SshConnections(Vertx vertx) {
    this.vertx = vertx;
  }

  private synchronized SshClient client() {
    if (client == null) {
      client = SshClient.setUpDefaultClient();
      client.setServerKeyVerifier(new HostKeys());
      client.setAgentFactory(new Agent.Factory());
      // ~/.ssh/config is read by SshConfig when the target is made, never a second time here.
      client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
      // Keys come from the target (or the default files, loaded here): never MINA's own search.
      client.setKeyIdentityProvider(s -> List.of());
      // Prompts and answers are a few bytes each: with Nagle's algorithm on, an answer written
      // while the previous one is unacknowledged waits for the server's delayed ACK (40 ms on
      // Linux). OpenSSH's client turns it off for the same reason.
      CoreModuleProperties.TCP_NODELAY.set(client, true);
      client.start();
    }
    return client;
  }

  /** The connections of {@code vertx}, created on first use; every acquire needs a release. */
  public static SshConnections acquire(Vertx vertx) {
    synchronized (SHARED) {
      SshConnections c = SHARED.computeIfAbsent(vertx, SshConnections::new);
      c.references++;
      return c;
    }
  }

  /** Drops one reference; the last one closes every connection and the client's threads. */
  public void release() {
    synchronized (SHARED) {
      if (--references > 0) {
        return;
      }
      SHARED.remove(vertx);
    }
    SshClient c;
    synchronized (this) {
      c = client;
      client = null;
    }
    if (c == null) {
      return;
    }
    try {
      c.stop();
      c.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing the SSH client", e);
    }
  }

  /** Tests: fewer connections per target, a shorter login deadline. */
  SshConnections limits(int connectionsPerTarget, Duration loginTimeout) {
    this.connectionsPerTarget = connectionsPerTarget;
    this.loginTimeout = loginTimeout;
    return this;
  }

  /** Tests: the logged-in sessions to {@code target} (the pool's connections that made it). */
  List<ClientSession> sessions(SshTarget target) {
    synchronized (pool) {
      Target t = pool.get(target);
      return t == null ? List.of() : t.connections.stream()
          .filter(c -> c.session.succeeded()).map(c -> c.session.result()).toList();
    }
  }

  /** How many connections were opened (tests and the bench count them). */
  public int connectionsOpened() {
    return opened;
  }

  /**
   * Opens a channel for {@code command} (null: the login shell) on a connection to the target,
   * connecting and authenticating first if none has room. A channel the server refuses because
   * its connection is full (sshd's MaxSessions) is asked for again on another connection, or
   * after a channel closes: a run never fails for it. Fails with a {@link SpawnException}
   * whose message is one line: cannot resolve, refused, timed out, auth failed, host key.
   */
  public Future<ChildProcess> open(SshTarget target, String command, SshChild.Pty pty,
                                   Context context) {
    return open(target, command, pty, context, 0);
  }

  private Future<ChildProcess> open(SshTarget target, String command, SshChild.Pty pty,
                                    Context context, int refusals) {
    return slot(target).compose(c -> {
      AtomicBoolean released = new AtomicBoolean();
      AtomicBoolean confirmed = new AtomicBoolean();
      Runnable release = () -> {
        if (released.compareAndSet(false, true)) {
          release(target, c, confirmed.get());
        }
      };
      return c.session.recover(e -> {
        synchronized (pool) {
          pool.get(target).connections.remove(c);
        }
        release.run();
        return Future.failedFuture(e);
      }).compose(session -> SshChild.open(session, command, pty, context, () -> {
        synchronized (pool) {
          c.open++;
          c.used = true;
          confirmed.set(true);
        }
      }, release)).recover(e -> {
        release.run();
        if (!(e instanceof SshChild.Refused)) {
          return Future.failedFuture(e);
        }
        int others;
        boolean used;
        synchronized (pool) {
          used = c.used;
          // The server confirms in order, so the channels it let open are all it allows here.
          others = c.open;
          if (others > 0) {
            c.limit = Math.min(c.limit, others);
          }
        }
        if (!used || refusals + 1 >= REFUSALS) {
          return Future.failedFuture(new SpawnException(e.getMessage() + (used ? " (" + REFUSALS
              + " times: the server allows no more sessions)" : "")));
        }
        if (others > 0) {
          LOG.debug("{}: a channel was refused with {} open: at most that many per connection",
              target.key(), others);
          return open(target, command, pty, context, refusals + 1);
        }
        // None of ours is open there: the server still counts sessions whose channels we closed
        // (their programs are ending). Ask again shortly.
        Promise<Void> later = Promise.promise();
        vertx.setTimer(Math.min(1000, 50L * (refusals + 1)), id -> later.complete());
        return later.future().compose(v -> open(target, command, pty, context, refusals + 1));
      });
    });
  }

  /** A connection with a channel reserved on it: one with room, a new one, or the next free. */
  private Future<Connection> slot(SshTarget target) {
    synchronized (pool) {
      Target t = pool.computeIfAbsent(target, k -> new Target());
      Connection c = reserve(target, t);
      if (c != null) {
        return Future.succeededFuture(c);
      }
      Promise<Connection> waiting = Promise.promise();
      t.waiting.add(waiting);
      return waiting.future();
    }
  }

  /** Called under the pool's lock: null when every connection is full and no more may open. */
  private Connection reserve(SshTarget target, Target t) {
    t.connections.removeIf(c -> !c.alive());
    for (Connection c : t.connections) {
      if (c.channels < c.limit) {
        c.channels++;
        return c;
      }
    }
    if (t.connections.size() >= connectionsPerTarget) {
      return null;
    }
    Connection c = new Connection(connect(target));
    c.channels++;
    t.connections.add(c);
    return c;
  }

  /** A channel of {@code c} is closed (or never opened): its slot goes to a waiting run. */
  private void release(SshTarget target, Connection c, boolean wasOpen) {
    List<Promise<Connection>> wake = new ArrayList<>();
    List<Connection> given = new ArrayList<>();
    synchronized (pool) {
      c.channels--;
      if (wasOpen) {
        c.open--;
      }
      Target t = pool.get(target);
      while (t != null && !t.waiting.isEmpty()) {
        Connection free = reserve(target, t);
        if (free == null) {
          break;
        }
        wake.add(t.waiting.poll());
        given.add(free);
      }
    }
    for (int i = 0; i < wake.size(); i++) {
      wake.get(i).complete(given.get(i));
    }
  }

  private Future<ClientSession> connect(SshTarget t) {
    Promise<ClientSession> promise = Promise.promise();
    List<String> keyNames = new ArrayList<>();
    // The key files are read and parsed while the connection and key exchange are under way:
    // they are needed only to log in (a cold JVM spends a few hundred ms on them).
    Future<List<KeyPair>> keys = vertx.executeBlocking(() -> keys(t, keyNames), false);
    opened++;
    AttributeRepository context = AttributeRepository.ofKeyValuePair(HostKeys.TARGET, t);
    ConnectFuture cf;
    try {
      cf = client().connect(t.user(), t.host(), t.port(), context, null);
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(new SpawnException(t.key() + ": " + reason(e)));
    }
    cf.addListener(f -> {
      if (!f.isConnected()) {
        Throwable e = f.getException();
        promise.tryFail(new SpawnException(t.key() + ": " + (e == null
            ? "connection timed out" : reason(e))));
        return;
      }
      ClientSession s = f.getSession();
      keys.onComplete(k -> {
        if (k.failed()) {
          s.close(true);
          promise.tryFail(k.cause());
          return;
        }
        login(t, s, k.result(), keyNames, promise);
      });
    });
    keys.onFailure(e -> {
      if (promise.tryFail(e)) {
        cf.cancel();
      }
    });
    // MINA's own timeouts are per step; one deadline covers connect, key exchange and login.
    long ms = loginTimeout.toMillis();
    long timer = vertx.setTimer(ms, id -> {
      if (promise.tryFail(new SpawnException(t.key() + ": timed out connecting and logging in "
          + "after " + (ms >= 1000 ? ms / 1000 + "s" : ms + "ms")))) {
        cf.cancel();
        if (cf.getSession() != null) {
          cf.getSession().close(true);
        }
      }
    });
    return promise.future().andThen(ar -> vertx.cancelTimer(timer));
  }

  /** Offers the agent, the keys and the password on a connected session; one-line failures. */
  private static void login(SshTarget t, ClientSession s, List<KeyPair> keys,
                            List<String> keyNames, Promise<ClientSession> promise) {
    Set<String> tried = new LinkedHashSet<>();
    if (Agent.available(t.agent())) {
      tried.add("publickey");
      keyNames.add(0, "ssh-agent");
    }
    for (KeyPair k : keys) {
      s.addPublicKeyIdentity(k);
      tried.add("publickey");
    }
    if (t.password() != null) {
      s.addPasswordIdentity(t.password());
      tried.add("password");
    }
    try {
      s.auth().addListener(a -> {
        if (a.isSuccess()) {
          LOG.debug("connected to {}", t.key());
          if (!promise.tryComplete(s)) {
            s.close(true);
          }
          return;
        }
        String refused = s.getAttribute(HostKeys.REFUSED);
        String why;
        if (refused != null) {
          why = refused;
        } else if (a.getException() != null && !isAuthFailure(a.getException())) {
          why = reason(a.getException());
        } else {
          why = "authentication failed for " + t.user() + " (tried: "
              + (tried.isEmpty() ? "nothing: no key found and no password"
              : String.join(", ", tried)) + (keyNames.isEmpty() ? "" : "; keys: "
              + String.join(", ", keyNames)) + ")";
        }
        s.close(true);
        promise.tryFail(new SpawnException(t.key() + ": " + why));
      });
    } catch (IOException e) {
      // A host key refused during the key exchange has closed the session already.
      String refused = s.getAttribute(HostKeys.REFUSED);
      s.close(true);
      promise.tryFail(new SpawnException(t.key() + ": " + (refused != null ? refused
          : reason(e))));
    }
  }

  private static boolean isAuthFailure(Throwable e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("authentication") || m.contains("No more authentication methods");
  }

  /** The target's identity, or the default key files that exist (OpenSSH's order). */
  private static List<KeyPair> keys(SshTarget t, List<String> names) throws SpawnException {
    List<Path> files = new ArrayList<>();
    if (t.identity() != null) {
      files.add(t.identity());
    } else {
      Path dir = Path.of(System.getProperty("user.home"), ".ssh");
      for (String k : DEFAULT_KEYS) {
        if (Files.isReadable(dir.resolve(k))) {
          files.add(dir.resolve(k));
        }
      }
    }
    List<KeyPair> keys = new ArrayList<>();
    FilePasswordProvider passphrase = t.passphrase() == null ? FilePasswordProvider.EMPTY
        : FilePasswordProvider.of(t.passphrase());
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities((SessionContext) null,
            NamedResource.ofName(f.toString()), in, passphrase);
        if (loaded != null) {
          loaded.forEach(keys::add);
          names.add(f.getFileName().toString());
        }
      } catch (NoSuchFileException e) {
        throw new SpawnException(t.key() + ": identity " + f + ": no such file");
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        if (t.identity() != null) {
          throw new SpawnException(t.key() + ": identity " + f + ": cannot load: "
              + oneLine(e) + (t.passphrase() == null ? " (encrypted? give a passphrase)" : ""));
        }
        LOG.debug("skipping key {}: {}", f, e.toString());
      }
    }
    return keys;
  }

  static String reason(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c && !(c instanceof ConnectException)
        && !(c instanceof UnknownHostException)) {
      c = c.getCause();
    }
    if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
      return "cannot resolve the host name";
    }
    if (c instanceof ConnectException) {
      return "connection refused";
    }
    if (c instanceof NoRouteToHostException) {
      return "no route to host";
    }
    if (c instanceof TimeoutException || c instanceof java.net.SocketTimeoutException) {
      return "connection timed out";
    }
    if (e instanceof SshException && e.getMessage() != null) {
      return oneLine(e);
    }
    return oneLine(c);
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replaceAll("\\s+", " ").strip();
  }
}
