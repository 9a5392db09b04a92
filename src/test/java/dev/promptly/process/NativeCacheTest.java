package dev.promptly.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JNA's and Netty's libraries from the launcher's cache directory, in fresh JVMs (each loads once
 * per JVM).
 */
class NativeCacheTest {
  @TempDir
  Path tmp;

  @Test
  void theLibraryIsUnpackedOnceAndThenLoadedFromTheCache() throws Exception {
    Path dir = tmp.resolve("native-x");
    Path library = dir.resolve(System.mapLibraryName("jnidispatch"));
    assertThat(probe("-D" + NativeCache.PROPERTY + "=" + dir)).isEqualTo(library.toString());
    long size = Files.size(library);
    assertThat(size).isGreaterThan(10_000);
    // Netty's epoll library too (for the next start: java.library.path is fixed at JVM start).
    assertThat(Files.list(dir)).containsExactlyInAnyOrder(library,
        dir.resolve(System.mapLibraryName("netty_transport_native_epoll_x86_64"))); // no partial
    Files.setLastModifiedTime(library, java.nio.file.attribute.FileTime.fromMillis(0));
    assertThat(probe("-D" + NativeCache.PROPERTY + "=" + dir)).isEqualTo(library.toString());
    assertThat(Files.getLastModifiedTime(library).toMillis()).isZero(); // reused, not rewritten
  }

  @Test
  void withoutTheCacheOrWithAnUnusableOneJnaUnpacksItselfAndWorks() throws Exception {
    assertThat(probe()).doesNotStartWith(tmp.toString());
    Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
    assertThat(probe("-D" + NativeCache.PROPERTY + "=" + notADirectory))
        .doesNotStartWith(tmp.toString());
    assertThat(notADirectory).hasContent("x");
  }

  @Test
  void theUsersOwnJnaPathWins() throws Exception {
    Path dir = tmp.resolve("native-y");
    assertThat(probe("-D" + NativeCache.PROPERTY + "=" + dir, "-Djna.boot.library.path=/nowhere"))
        .doesNotStartWith(tmp.toString());
    assertThat(dir.resolve(System.mapLibraryName("jnidispatch"))).doesNotExist();
  }

  private static String probe(String... properties) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(List.of(properties));
    command.add(NativeCacheProbe.class.getName());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().reduce((a, b) -> b).orElse("");
  }
}
