package dev.promptly.process;

import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Keeps JNA's native library in a directory of the launcher's cache, so that JNA loads it from
 * there instead of unpacking it from the jar into a temporary file on every start (8 ms of a
 * 0.15 s run, measured with {@code scripts/bench}'s start-up dialogue). Only when the launcher
 * names the directory with {@code -Dpromptly.nativeCache}; a user's own
 * {@code -Djna.boot.library.path} wins. Anything that goes wrong leaves JNA to unpack as before.
 */
final class NativeCache {
  /** The system property that names the directory. */
  static final String PROPERTY = "promptly.nativeCache";
  private static final String JNA_PATH = "jna.boot.library.path";

  private NativeCache() {
  }

  /** Must run before JNA's {@code Native} class is initialised to have any effect. */
  static void prepare() {
    String dir = System.getProperty(PROPERTY);
    if (dir == null || dir.isEmpty() || System.getProperty(JNA_PATH) != null) {
      return;
    }
    try {
      Path directory = Path.of(dir);
      String name = System.mapLibraryName("jnidispatch");
      Path library = directory.resolve(name);
      if (!Files.isRegularFile(library)) {
        String resource = "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + name;
        try (InputStream in = Platform.class.getResourceAsStream(resource)) {
          if (in == null) {
            return;
          }
          Files.createDirectories(directory);
          // Written whole under another name, then renamed: a concurrent start sees all or none.
          Path partial = Files.createTempFile(directory, name, ".partial");
          try {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE);
          } finally {
            Files.deleteIfExists(partial);
          }
        }
      }
      System.setProperty(JNA_PATH, directory.toString());
    } catch (IOException | RuntimeException e) {
      // JNA unpacks its library itself, as it does without the launcher.
    }
  }
}
