package dev.promptly.process.ssh;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Host keys checked as OpenSSH checks them, through MINA's known_hosts reader (hashed entries,
 * {@code [host]:port}): one verifier for the whole client, which finds each connection's target
 * in the connection's context (set when connecting, so it is there before key exchange).
 * A refusal leaves its reason on the session for the one-line failure.
 */
final class HostKeys implements ServerKeyVerifier {
  static final AttributeRepository.AttributeKey<SshTarget> TARGET =
      new AttributeRepository.AttributeKey<>();
  static final AttributeRepository.AttributeKey<String> REFUSED =
      new AttributeRepository.AttributeKey<>();

  /** One known_hosts verifier per file and mode: each watches its file for changes. */
  private final Map<String, KnownHostsServerKeyVerifier> verifiers = new ConcurrentHashMap<>();

  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
    SshTarget t = session.getConnectionContext().getAttribute(TARGET);
    if (t == null || t.hostKeyCheck() == SshTarget.HostKeyCheck.OFF) {
      return t != null;
    }
    KnownHostsServerKeyVerifier v = verifiers.computeIfAbsent(
        t.hostKeyCheck() + "\0" + t.knownHosts(), k -> verifier(t.knownHosts(),
            t.hostKeyCheck() == SshTarget.HostKeyCheck.ACCEPT_NEW));
    return v.verifyServerKey(session, remote, key);
  }

  private static KnownHostsServerKeyVerifier verifier(Path file, boolean acceptNew) {
    ServerKeyVerifier unknown = acceptNew ? AcceptAllServerKeyVerifier.INSTANCE
        : RejectAllServerKeyVerifier.INSTANCE;
    KnownHostsServerKeyVerifier v = new KnownHostsServerKeyVerifier(unknown, file) {
      @Override
      protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote,
                                             PublicKey key) {
        boolean ok = super.acceptUnknownHostKey(session, remote, key);
        if (!ok) {
          session.setAttribute(REFUSED, "host key unknown: " + name(session) + " offered "
              + KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key) + ", not in "
              + file + " (host-key-check: strict; accept-new records it)");
        }
        return ok;
      }

      @Override
      public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote,
                                             KnownHostEntry entry, PublicKey expected,
                                             PublicKey actual) {
        session.setAttribute(REFUSED, "host key CHANGED for " + name(session) + ": "
            + file + " has " + KeyUtils.getKeyType(expected) + " "
            + KeyUtils.getFingerPrint(expected) + ", the server offered "
            + KeyUtils.getKeyType(actual) + " " + KeyUtils.getFingerPrint(actual)
            + " (someone may be intercepting; if the key was replaced, remove the old line)");
        return false;
      }
    };
    return v;
  }

  private static String name(ClientSession session) {
    SshTarget t = session.getConnectionContext().getAttribute(TARGET);
    return t.port() == SshTarget.DEFAULT_PORT ? t.host() : "[" + t.host() + "]:" + t.port();
  }
}
