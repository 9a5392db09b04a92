package dev.promptly.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by NativeCacheTest: starts the reactor (so JNA works), then prints the
 * file JNA's library was mapped from when its name says so ("not mapped" when JNA unpacked it
 * under a temporary name).
 */
final class NativeCacheProbe {
  private NativeCacheProbe() {
  }

  public static void main(String[] args) throws IOException {
    Reactor.get();
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      if (line.contains("jnidispatch") && line.indexOf('/') >= 0) {
        System.out.println(line.substring(line.indexOf('/')));
        return;
      }
    }
    System.out.println("not mapped");
  }
}
