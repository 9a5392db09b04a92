package dev.promptly.process.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.process.ExitStatus;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password authentication, against MINA's own server in-process (OpenSSH's test rig has none). */
class PasswordAuthTest {
  @TempDir
  Path dir;

  @Test
  void aPasswordLogsInAndAWrongOneFailsNamingTheMethodTried() throws Exception {
    SshServer server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("host.ser")));
    server.setPasswordAuthenticator((user, password, session) -> "open-sesame".equals(password));
    server.setCommandFactory(ProcessShellCommandFactory.INSTANCE);
    server.start();
    Vertx vertx = Vertx.vertx();
    SshConnections c = SshConnections.acquire(vertx);
    try {
      SshChildTest.vertx = vertx;
      SshTarget good = new SshTarget("127.0.0.1", server.getPort(), "tester",
          dir.resolve("no-such-key-given"), null, "open-sesame", dir.resolve("known_hosts"),
          SshTarget.HostKeyCheck.ACCEPT_NEW);
      // The identity does not exist: a one-line failure before connecting.
      assertThat(SshChildTest.run(c, good, "true", null).failure())
          .contains("identity").contains("no such file");

      SshTarget password = new SshTarget("127.0.0.1", server.getPort(), "tester", null, null,
          "open-sesame", dir.resolve("known_hosts"), SshTarget.HostKeyCheck.ACCEPT_NEW);
      SshChildTest.Outcome ok = SshChildTest.run(c, password, "sh -c 'echo in; exit 4'", null);
      assertThat(ok.failure()).isNull();
      assertThat(ok.output()).contains("in");
      assertThat(ok.status()).isEqualTo(ExitStatus.exited(4));

      SshTarget wrong = new SshTarget("127.0.0.1", server.getPort(), "other", null, null,
          "guess", dir.resolve("known_hosts"), SshTarget.HostKeyCheck.STRICT);
      assertThat(SshChildTest.run(c, wrong, "true", null).failure())
          .contains("authentication failed for other (tried: ").contains("password")
          .doesNotContain("guess").doesNotContain("\n");
    } finally {
      c.release();
      vertx.close().await(30, TimeUnit.SECONDS);
      server.stop(true);
    }
  }
}
