package dev.promptly.process.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.config.hosts.ConfigFileHostEntryResolver;
import org.apache.sshd.client.config.hosts.HostConfigEntry;

/**
 * OpenSSH's client configuration file ({@code ~/.ssh/config}) for what a target needs: {@code Host}
 * patterns (aliases), {@code HostName}, {@code User}, {@code Port}, {@code IdentityFile},
 * {@code IdentityAgent}. As with OpenSSH, a value given explicitly (in the dialogue or by the
 * inventory, OpenSSH's command line) wins over the file, and the first matching value in the file
 * wins over later ones. MINA's reader parses it (and re-reads it when it changes).
 */
public final class SshConfig {
  private static final Map<Path, ConfigFileHostEntryResolver> FILES = new ConcurrentHashMap<>();

  private SshConfig() {
  }

  /** {@code ~/.ssh/config}. */
  public static Path defaultFile() {
    return Path.of(System.getProperty("user.home"), ".ssh", "config");
  }

  /**
   * The target for {@code host} (a name, an address or an alias of the file).
   *
   * @param port the port given explicitly, or 0
   * @param user the login given explicitly, or null
   * @param identity the key file given explicitly, or null
   * @throws IOException when the file cannot be read or parsed
   */
  public static SshTarget target(Path file, String host, int port, String user, Path identity,
                                 String passphrase, String password, Path knownHosts,
                                 SshTarget.HostKeyCheck check) throws IOException {
    String name = host;
    Path agent = SshTarget.defaultAgent();
    HostConfigEntry e = file != null && Files.isRegularFile(file)
        ? FILES.computeIfAbsent(file, ConfigFileHostEntryResolver::new)
            .resolveEffectiveHost(host, port, null, user, null, null)
        : null;
    if (e != null) {
      if (e.getHostName() != null && !e.getHostName().isBlank()) {
        name = e.getHostName();
      }
      if (port <= 0 && e.getPort() > 0) {
        port = e.getPort();
      }
      if ((user == null || user.isBlank()) && e.getUsername() != null
          && !e.getUsername().isBlank()) {
        user = e.getUsername();
      }
      if (user == null || user.isBlank()) {
        user = System.getProperty("user.name");
      }
      if (identity == null && e.getIdentities() != null && !e.getIdentities().isEmpty()) {
        identity = home(HostConfigEntry.resolveIdentityFilePath(e.getIdentities().iterator().next(),
            name, port > 0 ? port : SshTarget.DEFAULT_PORT, user));
      }
      String a = e.getProperty(HostConfigEntry.IDENTITY_AGENT);
      if (a != null && !a.isBlank() && !a.equals("SSH_AUTH_SOCK")) {
        agent = a.equalsIgnoreCase("none") ? null : home(a.startsWith("$")
            ? String.valueOf(System.getenv(a.substring(1))) : a);
      }
    }
    return new SshTarget(name, port > 0 ? port : SshTarget.DEFAULT_PORT,
        user == null || user.isBlank() ? System.getProperty("user.name") : user, identity,
        passphrase, password, knownHosts, check, agent);
  }

  private static Path home(String p) {
    String s = p.strip();
    if (s.equals("~") || s.startsWith("~/")) {
      s = System.getProperty("user.home") + s.substring(1);
    }
    return Path.of(s);
  }
}
