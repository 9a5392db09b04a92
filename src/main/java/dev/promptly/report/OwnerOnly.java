package dev.promptly.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
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

  /** Writes a whole file's content. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream os) throws IOException;
  }

  /**
   * Refuses what must not be written through: a symbolic link (a planted link would make promptly
   * overwrite its target), a FIFO (opening it would wait for a reader for ever), a device or a
   * folder. A missing file or a regular one is fine.
   */
  public static void checkTarget(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(abs, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    String what = a.isSymbolicLink() ? "a symbolic link" : a.isDirectory() ? "a folder"
        : a.isOther() ? "a FIFO, socket or device" : null;
    if (what != null) {
      throw new IOException("refusing to write " + abs + ": it is " + what
          + ", not a regular file");
    }
  }

  /**
   * Checks, before anything runs, that {@code file} can be written: its folder exists or can be
   * made, a file can be created there, and the file itself is not something
   * {@link #checkTarget} refuses.
   */
  public static void checkWritable(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    checkTarget(abs);
    Path dir;
    try {
      dir = directory(abs.getParent() == null ? abs.getRoot() : abs.getParent());
      Files.delete(Files.createTempFile(dir, ".promptly-", ".probe"));
    } catch (IOException e) {
      throw new IOException("cannot create " + abs + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }
  }

  /**
   * Opens {@code file} for writing from its start, owner-only from the first byte. The file is
   * made new under a temporary name (O_EXCL: never an existing file, never through a link) and
   * renamed onto {@code file} at once: a symbolic link or FIFO planted there is refused, and one
   * planted after the check is replaced, never followed or opened.
   */
  public static OutputStream create(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    checkTarget(abs);
    Path tmp = newTemp(abs);
    OutputStream os = open(tmp);
    try {
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      os.close();
      Files.deleteIfExists(tmp);
      throw e;
    }
    return os;
  }

  /**
   * Replaces {@code file} with {@code content} all at once: written to a temporary file in the
   * same folder, then renamed over it. A write that fails (a full disk) leaves the previous file
   * as it was, never a truncated one.
   */
  public static void replace(Path file, Content content) throws IOException {
    Path abs = file.toAbsolutePath();
    checkTarget(abs);
    Path tmp = newTemp(abs);
    try {
      try (OutputStream os = open(tmp)) {
        content.writeTo(os);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  private static Path newTemp(Path abs) throws IOException {
    Path dir = directory(abs.getParent() == null ? abs.getRoot() : abs.getParent());
    for (int i = 0; ; i++) {
      Path tmp = dir.resolve("." + abs.getFileName() + ".tmp-" + Long.toHexString(
          java.util.concurrent.ThreadLocalRandom.current().nextLong()));
      if (!Files.exists(tmp, LinkOption.NOFOLLOW_LINKS) || i > 100) {
        return tmp;
      }
    }
  }

  /** A new file (CREATE_NEW: fails on anything already there, a link included), owner-only. */
  private static OutputStream open(Path tmp) throws IOException {
    Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    if (!POSIX) {
      return Channels.newOutputStream(Files.newByteChannel(tmp, options));
    }
    FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(FILE);
    return Channels.newOutputStream(Files.newByteChannel(tmp, options, attr));
  }
}
