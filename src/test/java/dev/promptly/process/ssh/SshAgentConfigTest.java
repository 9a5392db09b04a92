package dev.promptly.process.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.process.ExitStatus;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys from a real ssh-agent, and targets completed by an OpenSSH client config file. */
class SshAgentConfigTest {
  @TempDir
  static Path dir;
  static Sshd sshd;
  static Process agent;
  static Path socket;

  @BeforeAll
  static void start() throws Exception {
    sshd = Sshd.start(dir);
    Files.writeString(sshd.knownHosts, sshd.knownHostsLine());
    SshChildTest.vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.destroy();
      agent.waitFor(10, TimeUnit.SECONDS);
    }
    if (SshChildTest.vertx != null) {
      SshChildTest.vertx.close().await(30, TimeUnit.SECONDS);
      SshChildTest.vertx = null;
    }
    if (sshd != null) {
      sshd.close();
    }
  }

  static String run(String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("SSH_AUTH_SOCK", socket.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out + " (exit " + p.exitValue() + ")";
  }

  @Test
  void keysComeFromTheAgentWhenItHasThem() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh-agent")), "no ssh-agent");
    socket = dir.resolve("agent.sock");
    agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
        .redirectErrorStream(true).start();
    // ssh-agent prints its variables once the socket listens: wait for that line.
    assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(agent.getInputStream(),
        StandardCharsets.UTF_8)).readLine()).contains("SSH_AUTH_SOCK");
    assertThat(run("ssh-add", sshd.userKey.toString())).contains("(exit 0)");

    SshTarget t = sshd.target(SshTarget.HostKeyCheck.STRICT);
    // No identity: the default key files, none of which is the test's key; only the agent has it.
    SshTarget viaAgent = new SshTarget(t.host(), t.port(), t.user(), null, null, null,
        t.knownHosts(), t.hostKeyCheck(), socket);
    SshConnections c = SshConnections.acquire(SshChildTest.vertx);
    try {
      SshChildTest.Outcome o = SshChildTest.run(c, viaAgent, "echo by agent", null);
      assertThat(o.failure()).isNull();
      assertThat(o.output()).contains("by agent");
      assertThat(o.status()).isEqualTo(ExitStatus.exited(0));
    } finally {
      c.release();
    }

    // An agent without the key: authentication fails and says the agent was asked.
    assertThat(run("ssh-add", "-D")).contains("(exit 0)");
    SshConnections again = SshConnections.acquire(SshChildTest.vertx);
    try {
      assertThat(SshChildTest.run(again, viaAgent, "true", null).failure())
          .contains("authentication failed for " + sshd.user).contains("tried: publickey")
          .contains("ssh-agent").doesNotContain("\n");
      // And no agent at all: the same, without it.
      assertThat(SshChildTest.run(again, viaAgent.withAgent(null), "true", null).failure())
          .contains("authentication failed").doesNotContain("ssh-agent");
    } finally {
      again.release();
    }
  }

  @Test
  void aHostAliasOfTheConfigFileGivesHostNamePortUserAndIdentityFile() throws Exception {
    Path config = dir.resolve("config");
    Files.writeString(config, String.join("\n",
        "Host web-alias",
        "  HostName 127.0.0.1",
        "  Port " + sshd.port,
        "  User " + sshd.user,
        "  IdentityFile " + sshd.userKey,
        "  IdentityAgent none",
        "Host *",
        "  Port 2222",
        "  User nobody-else",
        ""));
    SshTarget t = SshConfig.target(config, "web-alias", 0, null, null, null, null,
        sshd.knownHosts, SshTarget.HostKeyCheck.STRICT);
    assertThat(t).isEqualTo(new SshTarget("127.0.0.1", sshd.port, sshd.user, sshd.userKey, null,
        null, sshd.knownHosts, SshTarget.HostKeyCheck.STRICT, null));
    // What the dialogue or inventory gives wins over the file, as OpenSSH's command line does.
    SshTarget explicit = SshConfig.target(config, "web-alias", 2200, "deploy", null, null, null,
        sshd.knownHosts, SshTarget.HostKeyCheck.STRICT);
    assertThat(explicit.port()).isEqualTo(2200);
    assertThat(explicit.user()).isEqualTo("deploy");
    // A host no section names but Host *: its values; no file: OpenSSH's defaults.
    SshTarget other = SshConfig.target(config, "db1", 0, null, null, null, null,
        sshd.knownHosts, SshTarget.HostKeyCheck.STRICT);
    assertThat(other.host()).isEqualTo("db1");
    assertThat(other.port()).isEqualTo(2222);
    assertThat(other.user()).isEqualTo("nobody-else");
    SshTarget none = SshConfig.target(dir.resolve("no-config"), "db1", 0, null, null, null, null,
        sshd.knownHosts, SshTarget.HostKeyCheck.STRICT);
    assertThat(none.port()).isEqualTo(22);
    assertThat(none.user()).isEqualTo(System.getProperty("user.name"));

    SshConnections c = SshConnections.acquire(SshChildTest.vertx);
    try {
      SshChildTest.Outcome o = SshChildTest.run(c, t, "echo via alias", null);
      assertThat(o.failure()).isNull();
      assertThat(o.output()).contains("via alias");
    } finally {
      c.release();
    }
  }
}
