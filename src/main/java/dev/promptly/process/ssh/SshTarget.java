package dev.promptly.process.ssh;

import java.nio.file.Path;

/**
 * Where and how to log in, every value already substituted.
 *
 * @param host name or address
 * @param port TCP port
 * @param user login name
 * @param identity a private key file to use instead of the default ones; null: the defaults
 * @param passphrase the identity's passphrase (encrypted keys); null: none
 * @param password password authentication, tried after keys; null: not tried
 * @param knownHosts the known_hosts file
 * @param hostKeyCheck how an unknown host key is treated (a changed one always fails)
 * @param agent the ssh-agent's socket, asked for keys before the key files; null: no agent
 */
public record SshTarget(String host, int port, String user, Path identity, String passphrase,
                        String password, Path knownHosts, HostKeyCheck hostKeyCheck, Path agent) {
  public static final int DEFAULT_PORT = 22;

  /** A target whose agent is the one of {@code SSH_AUTH_SOCK}, if set. */
  public SshTarget(String host, int port, String user, Path identity, String passphrase,
                   String password, Path knownHosts, HostKeyCheck hostKeyCheck) {
    this(host, port, user, identity, passphrase, password, knownHosts, hostKeyCheck,
        defaultAgent());
  }

  /** {@code SSH_AUTH_SOCK}, as OpenSSH's client finds its agent; null when unset. */
  public static Path defaultAgent() {
    String sock = System.getenv("SSH_AUTH_SOCK");
    return sock == null || sock.isBlank() ? null : Path.of(sock);
  }

  /** The same target with another agent socket (null: none). */
  public SshTarget withAgent(Path socket) {
    return new SshTarget(host, port, user, identity, passphrase, password, knownHosts,
        hostKeyCheck, socket);
  }

  /** OpenSSH's StrictHostKeyChecking, the three values an operator uses. */
  public enum HostKeyCheck {
    /** An unknown key fails the run. */
    STRICT,
    /** An unknown key is recorded in known_hosts; a changed one fails. */
    ACCEPT_NEW,
    /** No check at all (test rigs only). */
    OFF;

    /** {@code strict}, {@code accept-new} or {@code off}; null for anything else. */
    public static HostKeyCheck parse(String text) {
      return switch (text) {
        case "strict" -> STRICT;
        case "accept-new" -> ACCEPT_NEW;
        case "off" -> OFF;
        default -> null;
      };
    }
  }

  /** The pool's key: runs to the same user@host:port share a connection. */
  public String key() {
    return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The user's default known_hosts file. */
  public static Path defaultKnownHosts() {
    return Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
  }

  @Override
  public String toString() {
    return key();
  }
}
