package dev.promptly.process.ssh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OpenSSH sshd for tests: the current user, 127.0.0.1, a free port, a temporary host key
 * and user key, StrictModes and PAM off. Its log (stderr, LogLevel VERBOSE) is kept, so tests
 * count the connections it accepted.
 */
public final class Sshd implements AutoCloseable {
  public static final Path SSHD = Path.of("/usr/sbin/sshd");
  public final Path dir;
  public final int port;
  public final Path hostKey;
  public final Path userKey;
  public final Path knownHosts;
  public final String user = System.getProperty("user.name");
  private final Process process;
  private final List<String> log = new ArrayList<>();
  private final Thread reader;

  /**
   * Skips the calling test (with the reason) when no sshd can be started here.
   *
   * @param config more sshd_config lines (say {@code MaxSessions 3})
   */
  public static Sshd start(Path dir, String... config) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(SSHD), "no " + SSHD + " (apt-get install "
        + "openssh-server): the SSH tests need a real sshd");
    return new Sshd(dir, config);
  }

  private Sshd(Path dir, String... extra) throws Exception {
    this.dir = dir;
    hostKey = dir.resolve("host_key");
    userKey = dir.resolve("user_key");
    knownHosts = dir.resolve("known_hosts");
    keygen("ed25519", hostKey);
    keygen("ecdsa", userKey);
    Files.copy(dir.resolve("user_key.pub"), dir.resolve("authorized_keys"));
    if ("root".equals(user)) {
      // sshd started by root insists on its privilege-separation directory.
      Files.createDirectories(Path.of("/run/sshd"));
    }
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("sshd_config");
    Files.writeString(config, String.join("\n",
        "Port " + port,
        "ListenAddress 127.0.0.1",
        "HostKey " + hostKey,
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        "PidFile none",
        "StrictModes no",
        "UsePAM no",
        "PermitRootLogin yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "LogLevel VERBOSE",
        "MaxStartups 100",
        // bash run by sshd reads ~/.bashrc even for `bash -c` unless SHLVL is already set; here
        // root's runs `pyenv init` (about a second of CPU per session on a busy machine).
        "SetEnv SHLVL=1",
        String.join("\n", extra),
        ""));
    process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
        .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
            Path.of("/dev/null").toFile())).start();
    CountDownLatch listening = new CountDownLatch(1);
    reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (log) {
            log.add(line);
          }
          if (line.contains("Server listening")) {
            listening.countDown();
          }
        }
      } catch (IOException e) {
        // sshd is gone
      }
      listening.countDown();
    }, "sshd-log");
    reader.setDaemon(true);
    reader.start();
    if (!listening.await(30, TimeUnit.SECONDS) || !process.isAlive()) {
      close();
      throw new IllegalStateException("sshd did not start: " + log());
    }
  }

  private static void keygen(String type, Path file) throws Exception {
    Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "test",
        "-f", file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("ssh-keygen failed: " + out);
    }
  }

  /** The target of this server with the test's user key and known_hosts file. */
  public SshTarget target(SshTarget.HostKeyCheck check) {
    return new SshTarget("127.0.0.1", port, user, userKey, null, null, knownHosts, check);
  }

  /** The known_hosts line OpenSSH would write for this server's key. */
  public String knownHostsLine() throws IOException {
    String pub = Files.readString(dir.resolve("host_key.pub")).strip();
    String[] parts = pub.split(" ");
    return "[127.0.0.1]:" + port + " " + parts[0] + " " + parts[1] + "\n";
  }

  public List<String> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /** Connections sshd accepted so far. */
  public long connections() {
    return log().stream().filter(l -> l.startsWith("Connection from")).count();
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    // Children sshd forked per connection end with their connections.
    reader.join(10_000);
  }
}
