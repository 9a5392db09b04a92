package dev.promptly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * picocli, Logback and the Hazelcast cluster manager are optional dependencies (issue 15): a
 * library user does not have them, so only the command line (cli, and cluster, which only it
 * uses) may touch them; anywhere else they would fail a user's application with
 * NoClassDefFoundError. src/it/junit-consumer checks the same from a user's build.
 */
class LibraryDependenciesTest {
  private static final Pattern CLI_ONLY = Pattern.compile(
      "\\b(picocli\\.|ch\\.qos\\.logback\\.|com\\.hazelcast\\.|io\\.vertx\\.spi\\.cluster\\."
          + "|dev\\.promptly\\.cli\\b|dev\\.promptly\\.cluster\\b)[\\w.]*");

  @Test
  void onlyTheCommandLineUsesItsOptionalDependencies() throws IOException {
    Path root = Path.of("src/main/java/dev/promptly");
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String top = root.relativize(f).getName(0).toString();
        if (top.equals("cli") || top.equals("cluster")) {
          continue;
        }
        Matcher m = CLI_ONLY.matcher(Files.readString(f));
        while (m.find()) {
          found.add(f + ": " + m.group());
        }
      }
    }
    assertThat(found).as("the library's use of the command line's optional dependencies")
        .isEmpty();
  }
}
