package dev.promptly.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Scratch folders promptly makes for itself: a cluster worker's runs, the SSH warm-up's keys. */
public final class Scratch {
  private static final Logger LOG = LoggerFactory.getLogger(Scratch.class);

  private Scratch() {
  }

  /**
   * Deletes {@code dir} and everything below it, as far as it can (null: nothing). A scratch
   * folder left behind is not worth failing for, so nothing is thrown, not even when the walk
   * fails half-way (an {@code UncheckedIOException} from the stream).
   */
  public static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      LOG.debug("deleting the scratch folder {}", dir, e);
    }
  }
}
