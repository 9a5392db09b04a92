package dev.promptly.cli;

import dev.promptly.cluster.ClusterConfig;
import dev.promptly.dsl.Durations;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every cluster member takes: where it binds, whom it joins, which cluster. */
final class ClusterOptions {
  @Option(names = "--join", paramLabel = "HOST:PORT", split = ",",
      description = "members to join (TCP; no multicast), e.g. 10.0.0.5:5701,10.0.0.6:5701")
  List<String> join = List.of();

  @Option(names = "--cluster-host", paramLabel = "ADDR",
      description = "interface to bind cluster traffic to (default 127.0.0.1; never 0.0.0.0)")
  String host = "127.0.0.1";

  @Option(names = "--cluster-port", paramLabel = "N",
      description = "cluster port (default: the first free one from 5701)")
  int port = ClusterConfig.DEFAULT_PORT;

  @Option(names = "--cluster-name", paramLabel = "NAME",
      description = "cluster name; members with another name never join (default promptly)")
  String name = "default";

  @Option(names = "--cluster-key", paramLabel = "KEY",
      description = "shared key (default: env PROMPTLY_CLUSTER_KEY); another key, another cluster")
  String key = System.getenv("PROMPTLY_CLUSTER_KEY");

  @Option(names = "--join-timeout", paramLabel = "DURATION",
      description = "how long to wait for a first worker (default 30s)")
  String joinTimeout = "30s";

  @Option(names = "--cluster-tls", paramLabel = "DIR",
      description = "event-bus TLS with mutual authentication: DIR holds ca.pem, member.pem "
          + "and member-key.pem (scripts/cluster-tls makes them)")
  java.nio.file.Path tls;

  ClusterConfig config() {
    if (host.equals("0.0.0.0") || host.equals("::")) {
      throw new IllegalArgumentException("--cluster-host must name one interface, not " + host);
    }
    return new ClusterConfig(host, port, join, name, key, Durations.parse(joinTimeout), tls);
  }
}
