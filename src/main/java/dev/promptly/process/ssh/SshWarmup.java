package dev.promptly.process.ssh;

import dev.promptly.process.Scratch;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.command.Command;

/**
 * One SSH run in-process, for the launcher's training run only (PROMPTLY_TRAINING=1): a MINA
 * server on the loopback, an ed25519 user key file, a known_hosts file, one exec channel through
 * {@link SshConnections}. The classes it loads (key exchange, ciphers, key files, channels) go into
 * the class-data archive, which halves the first connection of every later run (about 1 s of a
 * cold JVM's class loading and linking). Nothing leaves the machine; the files are removed.
 */
public final class SshWarmup {
  private SshWarmup() {
  }

  /** Runs it: true when the remote side's line arrived; a failure is only logged. */
  public static boolean run() {
    Path dir = null;
    SshServer server = null;
    Vertx vertx = Vertx.vertx();
    try {
      dir = Files.createTempDirectory("promptly-warmup");
      KeyPair host = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
      KeyPair user = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
      Path key = dir.resolve("id_ed25519");
      try (OutputStream out = Files.newOutputStream(key)) {
        new OpenSSHKeyPairResourceWriter().writePrivateKey(user, "warmup", null, out);
      }
      server = SshServer.setUpDefaultServer();
      server.setHost("127.0.0.1");
      server.setPort(0);
      server.setKeyPairProvider(KeyPairProvider.wrap(host));
      server.setPublickeyAuthenticator((name, k, s) -> KeyUtils.compareKeys(k, user.getPublic()));
      server.setCommandFactory((channel, command) -> new Echo());
      server.start();
      Path knownHosts = dir.resolve("known_hosts");
      Files.writeString(knownHosts, "[127.0.0.1]:" + server.getPort() + " "
          + PublicKeyEntry.toString(host.getPublic()) + "\n");
      SshTarget target = new SshTarget("127.0.0.1", server.getPort(), "warmup", key, null, null,
          knownHosts, SshTarget.HostKeyCheck.STRICT);
      SshConnections connections = SshConnections.acquire(vertx);
      try {
        Context ctx = vertx.getOrCreateContext();
        Promise<String> done = Promise.promise();
        ctx.runOnContext(v -> connections.open(target, "echo warm", null, ctx)
            .compose(child -> {
              StringBuilder out = new StringBuilder();
              child.output().handler(b -> out.append(b));
              return child.closeInput().compose(x -> child.exit()).map(x -> out.toString());
            }).onComplete(done));
        return done.future().await(30, TimeUnit.SECONDS).equals("warm\n");
      } finally {
        connections.release();
      }
    } catch (Exception e) {
      SshConnections.LOG.debug("SSH warm-up", e);
      return false;
    } finally {
      if (server != null) {
        try {
          server.stop(true);
        } catch (Exception e) {
          SshConnections.LOG.debug("SSH warm-up server", e);
        }
      }
      vertx.close();
      Scratch.delete(dir);
    }
  }

  /** The server's side of the run: prints a line, exits 0. */
  private static final class Echo implements Command {
    private OutputStream out;
    private ExitCallback exit;

    @Override
    public void setInputStream(java.io.InputStream in) {
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      exit = callback;
    }

    @Override
    public void start(org.apache.sshd.server.channel.ChannelSession channel,
                      org.apache.sshd.server.Environment env) throws java.io.IOException {
      out.write("warm\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      exit.onExit(0);
    }

    @Override
    public void destroy(org.apache.sshd.server.channel.ChannelSession channel) {
    }
  }
}
