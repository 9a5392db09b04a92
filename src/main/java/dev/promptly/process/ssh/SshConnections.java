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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH connections of one invocation: one MINA client, and per target ({@code user@host:port}
 * and its settings) connections opened on first use and shared by every run to it, each carrying
 * up to {@link #CHANNELS_PER_CONNECTION} channels (OpenSSH's MaxSessions default) before another
 * is opened. Reference-counted per Vert.x instance: whoever runs many runs holds it for the whole
 * batch ({@link #acquire}/{@link #release}), and the last release closes every connection.
 */
public final class SshConnections {
  static final Logger LOG = LoggerFactory.getLogger(SshConnections.class);
  /** OpenSSH's sshd allows 10 sessions per connection by default (MaxSessions). */
  public static final int CHANNELS_PER_CONNECTION = 10;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
  static final Duration AUTH_TIMEOUT = Duration.ofSeconds(30);
  private static final Map<Vertx, SshConnections> SHARED = new HashMap<>();
  private static final List<String> DEFAULT_KEYS = List.of("id_ed25519", "id_ecdsa", "id_rsa");

  private final Vertx vertx;
  /** Started on the first connection: a batch of local runs never pays for it. */
  private SshClient client;
  private final Map<SshTarget, List<Connection>> pool = new HashMap<>();
  private int references;
  private volatile int opened;

  /** One shared connection with its channel count; guarded by the pool's lock. */
  static final class Connection {
    final Future<ClientSession> session;
    int channels;

    Connection(Future<ClientSession> session) {
      this.session = session;
    }
  }

  private SshConnections(Vertx vertx) {
    this.vertx = vertx;
  }

  private synchronized SshClient client() {
    if (client == null) {
      client = SshClient.setUpDefaultClient();
      client.setServerKeyVerifier(new HostKeys());
      // Keys come from the target (or the default files, loaded here): never MINA's own search.
      client.setKeyIdentityProvider(s -> List.of());
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

  /** How many connections were opened (tests and the bench count them). */
  public int connectionsOpened() {
    return opened;
  }

  /**
   * Opens a channel for {@code command} (null: the login shell) on a connection to the target,
   * connecting and authenticating first if none has room. Fails with a {@link SpawnException}
   * whose message is one line: cannot resolve, refused, timed out, auth failed, host key.
   */
  public Future<ChildProcess> open(SshTarget target, String command, SshChild.Pty pty,
                                   Context context) {
    Connection c = connection(target);
    return c.session.recover(e -> {
      synchronized (pool) {
        List<Connection> list = pool.get(target);
        if (list != null) {
          list.remove(c);
        }
      }
      return Future.failedFuture(e);
    }).compose(session -> SshChild.open(session, command, pty, context, () -> {
      synchronized (pool) {
        c.channels--;
      }
    })).onFailure(e -> {
      synchronized (pool) {
        c.channels--;
      }
    });
  }

  private Connection connection(SshTarget target) {
    synchronized (pool) {
      List<Connection> list = pool.computeIfAbsent(target, t -> new ArrayList<>());
      for (Connection c : list) {
        boolean alive = !c.session.isComplete()
            || (c.session.succeeded() && c.session.result().isOpen());
        if (alive && c.channels < CHANNELS_PER_CONNECTION) {
          c.channels++;
          return c;
        }
      }
      list.removeIf(c -> c.session.isComplete() && (c.session.failed()
          || !c.session.result().isOpen()));
      Connection c = new Connection(connect(target));
      c.channels++;
      list.add(c);
      return c;
    }
  }

  private Future<ClientSession> connect(SshTarget t) {
    Promise<ClientSession> promise = Promise.promise();
    List<KeyPair> keys;
    List<String> keyNames = new ArrayList<>();
    try {
      keys = keys(t, keyNames);
    } catch (SpawnException e) {
      return Future.failedFuture(e);
    }
    opened++;
    AttributeRepository context = AttributeRepository.ofKeyValuePair(HostKeys.TARGET, t);
    ConnectFuture cf;
    try {
      cf = client().connect(t.user(), t.host(), t.port(), context, null);
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(new SpawnException(t.key() + ": " + reason(e)));
    }
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    cf.addListener(f -> {
      if (!f.isConnected()) {
        Throwable e = f.getException();
        promise.fail(new SpawnException(t.key() + ": " + (e == null
            ? "connection timed out after " + CONNECT_TIMEOUT.toSeconds() + "s" : reason(e))));
        return;
      }
      ClientSession s = f.getSession();
      Set<String> tried = new LinkedHashSet<>();
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
            promise.complete(s);
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
          promise.fail(new SpawnException(t.key() + ": " + why));
        });
      } catch (IOException e) {
        s.close(true);
        promise.fail(new SpawnException(t.key() + ": " + reason(e)));
      }
    });
    // MINA's own timeouts are per step; one deadline covers connect, key exchange and login.
    long ms = Math.max(1, (deadline - System.nanoTime()) / 1_000_000) + AUTH_TIMEOUT.toMillis();
    long timer = vertx.setTimer(ms, id -> {
      if (promise.tryFail(new SpawnException(t.key() + ": timed out connecting and logging in "
          + "after " + ms / 1000 + "s"))) {
        cf.cancel();
        if (cf.getSession() != null) {
          cf.getSession().close(true);
        }
      }
    });
    return promise.future().andThen(ar -> vertx.cancelTimer(timer));
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
