package dev.promptly.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Where a cluster member binds and whom it joins. Hazelcast is configured as an operator expects
 * in a data centre: TCP join with the given members only, multicast and auto-detection off,
 * bound to the given interface only (never 0.0.0.0), phone-home off, a lost member noticed after
 * 5 s without heartbeat (shared/notes/cluster.md).
 *
 * @param host the interface address to bind (default 127.0.0.1)
 * @param port the Hazelcast port (the first free one from it is taken)
 * @param join the members to join, HOST:PORT
 * @param name the cluster name; members of another name never join
 * @param key a shared key; members with another key form another cluster (never hear each other)
 * @param joinTimeout how long a coordinator waits for a first worker
 * @param tls the folder of the event bus's TLS files ({@link Tls}), or null for none
 */
public record ClusterConfig(String host, int port, List<String> join, String name, String key,
                            Duration joinTimeout, Path tls) {
  /** Default first port, Hazelcast's. */
  public static final int DEFAULT_PORT = 5701;

  public ClusterConfig {
    join = List.copyOf(join);
  }

  /** A cluster without TLS. */
  public ClusterConfig(String host, int port, List<String> join, String name, String key,
                       Duration joinTimeout) {
    this(host, port, join, name, key, joinTimeout, null);
  }

  /** True when the bound interface is a loopback address. */
  public boolean loopback() {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** The Hazelcast cluster name: the given name and a digest of the key, never the key itself. */
  String clusterName() {
    if (key == null || key.isEmpty()) {
      return "promptly-" + name;
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(("promptly:" + name + ":" + key).getBytes(StandardCharsets.UTF_8));
      return "promptly-" + name + "-" + HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Config hazelcast() {
    Config c = new Config();
    c.setClusterName(clusterName());
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    c.setProperty("hazelcast.socket.bind.any", "false");
    c.setProperty("hazelcast.local.localAddress", host);
    // Vert.x keeps a few small maps (subscriptions, node info); Hazelcast's 271 partitions make
    // every join migrate 271 partition tables between members that hold almost nothing.
    c.setProperty("hazelcast.partition.count", "11");
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    c.setProperty("hazelcast.wait.seconds.before.join", "0");
    c.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    c.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    NetworkConfig net = c.getNetworkConfig();
    net.setPort(port).setPortAutoIncrement(true).setPortCount(100);
    net.getInterfaces().setEnabled(true).addInterface(host);
    JoinConfig j = net.getJoin();
    j.getMulticastConfig().setEnabled(false);
    j.getAutoDetectionConfig().setEnabled(false);
    j.getTcpIpConfig().setEnabled(true).setMembers(join.isEmpty() ? List.of(host) : join);
    return c;
  }

  /** Joins the cluster; the future holds the clustered Vert.x and its Hazelcast manager. */
  Future<Member> start() {
    // Vert.x's DNS resolver opens a UDP socket on 0.0.0.0; a member binds only where told.
    System.setProperty("vertx.disableDnsResolver", "true");
    HazelcastLog.install();
    EventBusOptions bus = new EventBusOptions().setHost(host).setPort(0)
        .setClusterPublicHost(host);
    if (tls != null) {
      Tls.configure(tls, bus);
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast());
    VertxOptions options = new VertxOptions()
        .setEventBusOptions(bus)
        // No vertx-cache-* folder: a killed member would leave it behind.
        .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)
            .setClassPathResolvingEnabled(false))
        .setEventLoopPoolSize(2).setWorkerPoolSize(2).setInternalBlockingPoolSize(2);
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered()
        .map(v -> new Member(v, manager, bus));
  }

  /** A joined member: its clustered Vert.x, its cluster manager, its event bus options. */
  record Member(Vertx vertx, HazelcastClusterManager manager, EventBusOptions bus) {
    String uuid() {
      return manager.getHazelcastInstance().getCluster().getLocalMember().getUuid().toString();
    }

    /** Whether no other member is in this member's cluster. */
    boolean alone() {
      return manager.getHazelcastInstance().getCluster().getMembers().size() <= 1;
    }

    void close() {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10,
          java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
  }
}
