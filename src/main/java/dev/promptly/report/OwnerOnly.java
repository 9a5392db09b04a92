package dev.promptly.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Report files hold what programs printed, which can be sensitive even with secrets masked: they
 * are created readable and writable by their owner only, from the first byte (never widened after
 * the fact), and their folders are made if missing (owner only as well).
 */
public final class OwnerOnly {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");

  private OwnerOnly() {
  }

  /** Creates {@code dir} and its missing parents (new ones owner-only). */
  public static Path directory(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.isDirectory(abs)) {
      return abs;
    }
    Path parent = abs.getParent();
    if (parent != null) {
      directory(parent);
    }
    try {
      if (POSIX) {
        Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(DIR));
      } else {
        Files.createDirectory(abs);
      }
    } catch (java.nio.file.FileAlreadyExistsException e) {
      if (!Files.isDirectory(abs)) {
        throw e;
      }
    }
    return abs;
  }

  /**
   * Opens {@code file} for writing from its start, created owner-only; an existing file is
   * truncated and narrowed to owner-only before anything is written to it.
   */
  public static OutputStream create(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    if (abs.getParent() != null) {
      directory(abs.getParent());
    }
    Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    if (!POSIX) {
      return Channels.newOutputStream(Files.newByteChannel(abs, options));
    }
    FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(FILE);
    if (Files.exists(abs)) {
      Files.setPosixFilePermissions(abs, FILE);
    }
    return Channels.newOutputStream(Files.newByteChannel(abs, options, attr));
  }
}
