package dev.promptly.cluster;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * {@code --cluster-tls DIR}: the event bus (runs, output, secrets, results) over TLS with mutual
 * authentication. DIR holds three PEM files:
 * <ul>
 *   <li>{@value #CA}: the certificate of the CA that signs every member of this cluster (and
 *   nothing else: any certificate it signed is a member);</li>
 *   <li>{@value #CERT}: this member's certificate (chain), signed by that CA;</li>
 *   <li>{@value #KEY}: this member's private key (PKCS#8 or PKCS#1), readable by its owner only.</li>
 * </ul>
 * A member presents its certificate and accepts only peers whose certificate chains to the CA, in
 * both directions. Host names are not checked: the CA is the cluster's own, and members are
 * reached by address ({@code scripts/cluster-tls} makes such a folder).
 */
final class Tls {
  static final String CA = "ca.pem";
  static final String CERT = "member.pem";
  static final String KEY = "member-key.pem";

  private Tls() {
  }

  /** Checks DIR and turns TLS on in {@code bus}; throws IllegalArgumentException saying why not. */
  static void configure(Path dir, EventBusOptions bus) {
    for (String f : new String[] {CA, CERT, KEY}) {
      Path p = dir.resolve(f);
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        throw new IllegalArgumentException("--cluster-tls " + dir + ": no readable " + f
            + " (the folder needs " + CA + ", " + CERT + " and " + KEY
            + "; scripts/cluster-tls makes them)");
      }
    }
    Path key = dir.resolve(KEY);
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(key);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        throw new IllegalArgumentException("--cluster-tls " + dir + ": " + KEY
            + " is readable by others; chmod 600 " + key);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // Not a POSIX file system: nothing to check.
    }
    PemKeyCertOptions cert = new PemKeyCertOptions().setCertPath(dir.resolve(CERT).toString())
        .setKeyPath(key.toString());
    PemTrustOptions trust = new PemTrustOptions().addCertPath(dir.resolve(CA).toString());
    // (The event bus trusts every certificate unless told otherwise: DEFAULT_TRUST_ALL is true.)
    bus.setSsl(true).setTrustAll(false)
        .setKeyCertOptions(cert).setTrustOptions(trust).setClientAuth(ClientAuth.REQUIRED);
  }

  /**
   * Options of a client that shakes hands with a member's event bus as the event bus would, to
   * tell a refused certificate from a silent peer: the event bus itself only logs a failed
   * handshake, and the message waiting on it times out. TLS 1.2, so that a server refusing this
   * member's certificate fails the handshake itself (under 1.3 that comes after it).
   */
  static NetClientOptions probe(EventBusOptions bus) {
    return new NetClientOptions().setSsl(true).setTrustAll(false)
        .setKeyCertOptions(bus.getKeyCertOptions()).setTrustOptions(bus.getTrustOptions())
        .setHostnameVerificationAlgorithm("").setConnectTimeout(10_000)
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.2"));
  }

  /** Shakes hands with the event bus at host:port; fails with a message saying what went wrong. */
  static Future<Void> probe(Vertx vertx, EventBusOptions bus, String host, int port) {
    NetClient client = vertx.createNetClient(probe(bus));
    return client.connect(port, host).compose(socket -> socket.close(), e -> {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      return Future.failedFuture("the TLS handshake with the event bus of " + host + ":" + port
          + " failed (" + root.getMessage() + "): every member needs --cluster-tls with a "
          + "certificate signed by the same CA");
    }).eventually(() -> client.close());
  }
}
