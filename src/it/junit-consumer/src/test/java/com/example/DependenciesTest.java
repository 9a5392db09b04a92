package com.example;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What promptly puts on a user's class path, read as a user would: from this build's dependency
 * tree (maven-dependency-plugin writes it before the tests) and from the class path these tests
 * run on. The library depends on slf4j-api, not on a logging backend, the CLI's parser or the
 * cluster manager.
 */
class DependenciesTest {
  private static final List<String> NOT_FOR_LIBRARY_USERS = List.of("ch.qos.logback:",
      "info.picocli:", "io.vertx:vertx-hazelcast:", "com.hazelcast:", "org.slf4j:slf4j-simple:",
      "org.slf4j:slf4j-nop:", "org.slf4j:slf4j-reload4j:", "org.apache.logging.log4j:",
      // bridges that would take over the host's other logging APIs
      "org.slf4j:jcl-over-slf4j:", "org.slf4j:jul-to-slf4j:", "org.slf4j:log4j-over-slf4j:");

  @Test
  void promptlyBringsSlf4jApiAndNoBackendCliParserOrHazelcast() throws Exception {
    List<String> tree = Files.readAllLines(Path.of("target/dependency-tree.txt"));
    List<String> promptly = subtree(tree, "dev.promptly:promptly:jar:");
    String shown = String.join("\n", promptly);
    assertTrue(promptly.stream().anyMatch(l -> l.contains("org.slf4j:slf4j-api:jar:")),
        "slf4j-api comes with promptly:\n" + shown);
    for (String artifact : NOT_FOR_LIBRARY_USERS) {
      assertFalse(promptly.stream().anyMatch(l -> l.contains(artifact)),
          artifact + " comes with promptly:\n" + shown);
    }
  }

  @Test
  void theTestsRunWithoutLogbackPicocliOrHazelcast() throws Exception {
    ClassLoader loader = getClass().getClassLoader();
    for (String absent : List.of("ch.qos.logback.classic.LoggerContext", "picocli.CommandLine",
        "com.hazelcast.core.Hazelcast", "io.vertx.spi.cluster.hazelcast.HazelcastClusterManager")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(absent, false, loader),
          absent);
    }
    Class.forName("org.slf4j.LoggerFactory", false, loader);
    assertFalse(loader.getResources("META-INF/services/ch.qos.logback.classic.spi.Configurator")
        .hasMoreElements(), "a Logback Configurator service would configure the host's logging");
  }

  /** The lines under the node that contains {@code node}: its dependencies, transitively. */
  private static List<String> subtree(List<String> tree, String node) {
    List<String> lines = new ArrayList<>();
    int depth = -1;
    for (String line : tree) {
      int at = line.indexOf(node);
      if (depth < 0) {
        if (at >= 0) {
          depth = at;
          lines.add(line);
        }
        continue;
      }
      int name = line.length() - line.replaceFirst("^[|+\\\\\\- ]+", "").length();
      if (name <= depth) {
        break;
      }
      lines.add(line);
    }
    assertFalse(lines.isEmpty(), node + " is not in the tree:\n" + String.join("\n", tree));
    return lines;
  }
}
