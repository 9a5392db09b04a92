package dev.promptly.process.ssh;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.agent.common.AbstractAgentProxy;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * The ssh-agent protocol over the agent's unix socket, through the JDK's own unix-domain socket
 * channel (MINA's unix agent needs Tomcat's native APR library). MINA's proxy speaks the protocol;
 * this class only carries its messages. An agent that is not there has no keys: authentication
 * goes on with the key files, as OpenSSH does.
 */
final class Agent extends AbstractAgentProxy {
  private final Path socket;
  private SocketChannel channel;

  private Agent(Path socket) {
    super(null);
    this.socket = socket;
  }

  /** Gives each connection the agent of its target (see {@link SshTarget#agent()}). */
  static final class Factory implements SshAgentFactory {
    @Override
    public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
      return List.of();
    }

    @Override
    public SshAgent createClient(Session session, FactoryManager manager) {
      SshTarget t = session instanceof ClientSession c && c.getConnectionContext() != null
          ? c.getConnectionContext().getAttribute(HostKeys.TARGET) : null;
      return new Agent(t == null ? null : t.agent());
    }

    @Override
    public SshAgentServer createServer(ConnectionService service) {
      throw new UnsupportedOperationException("agent forwarding is not offered");
    }
  }

  /** Whether there is an agent to ask (its socket exists). */
  static boolean available(Path socket) {
    return socket != null && Files.exists(socket);
  }

  @Override
  public Iterable<? extends Map.Entry<PublicKey, String>> getIdentities() throws IOException {
    if (!available(socket)) {
      return List.of();
    }
    try {
      return super.getIdentities();
    } catch (IOException e) {
      SshConnections.LOG.debug("ssh-agent at {}: {}", socket, e.toString());
      return List.of();
    }
  }

  @Override
  protected synchronized Buffer request(Buffer buffer) throws IOException {
    if (channel == null) {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket));
    }
    ByteBuffer out = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
    while (out.hasRemaining()) {
      channel.write(out);
    }
    ByteBuffer length = read(4);
    int n = length.getInt();
    if (n < 0 || n > 256 * 1024) {
      throw new IOException("ssh-agent: a reply of " + n + " bytes");
    }
    ByteBuffer reply = read(n);
    return new ByteArrayBuffer(reply.array(), 0, n);
  }

  private ByteBuffer read(int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (channel.read(b) < 0) {
        throw new IOException("ssh-agent closed the connection");
      }
    }
    return b.flip();
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public synchronized void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }
}
