package dev.promptly.process;

import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Keeps the native libraries of JNA and of Netty's epoll transport in a directory of the
 * launcher's cache, so that they are loaded from there instead of being unpacked from the jar
 * into temporary files on every start (8 and 6 ms of a 0.15 s run, measured with
 * {@code scripts/bench}'s start-up dialogue). Only when the launcher names the directory with
 * {@code -Dpromptly.nativeCache}; JNA is then pointed at it ({@code jna.boot.library.path}, unless
 * the user set that), and Netty finds its library there through {@code java.library.path}, which
 * the launcher sets to the same directory (fixed at JVM start: the first run only unpacks it for
 * the next). Anything that goes wrong leaves both to unpack as before.
 */
final class NativeCache {
  /** The system property that names the directory. */
  static final String PROPERTY = "promptly.nativeCache";
  private static final String JNA_PATH = "jna.boot.library.path";
  private static boolean prepared;

  private NativeCache() {
  }

  /** Must run before JNA's {@code Native} class and Netty's {@code Epoll} are initialised. */
  static synchronized void prepare() {
    String dir = System.getProperty(PROPERTY);
    if (prepared || dir == null || dir.isEmpty()) {
      return;
    }
    prepared = true;
    Path directory = Path.of(dir);
    unpack(NativeCache.class, "/META-INF/native/"
        + System.mapLibraryName("netty_transport_native_epoll_" + gnuArch()), directory);
    if (System.getProperty(JNA_PATH) == null) {
      String jna = "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/"
          + System.mapLibraryName("jnidispatch");
      if (unpack(Platform.class, jna, directory)) {
        System.setProperty(JNA_PATH, directory.toString());
      }
    }
  }

  /**
   * True when {@code dir} exists (made now, owner-only, whatever the umask) and it and its parent
   * belong to this user and are not writable by anyone else: a library loaded from a folder others
   * can write could be replaced by theirs.
   */
  static boolean privateDirectory(Path dir) {
    try {
      if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Path parent = dir.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
          Files.createDirectories(parent,
              java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        try {
          Files.createDirectory(dir,
              java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (java.nio.file.FileAlreadyExistsException raced) {
          // made by a concurrent start: checked below like any other
        }
      }
      return ownedAndPrivate(dir) && (dir.getParent() == null || ownedAndPrivate(dir.getParent()));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
      java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");

  /** Owned by this process's user, and writable by no group or other user. */
  static boolean ownedAndPrivate(Path p) throws IOException {
    int uid = (Integer) Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    return uid == myUid() && (mode & 0022) == 0;
  }

  private static int myUid() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
      }
    }
    throw new IOException("no Uid in /proc/self/status");
  }

  /** The machine as GNU names it (x86_64, aarch64): Java says amd64 for x86_64. */
  static String gnuArch() {
    String arch = System.getProperty("os.arch");
    return "amd64".equals(arch) ? "x86_64" : arch;
  }

  /** True when {@code resource} is in {@code directory}, already or now. */
  private static boolean unpack(Class<?> owner, String resource, Path directory) {
    String name = resource.substring(resource.lastIndexOf('/') + 1);
    Path library = directory.resolve(name);
    if (Files.isRegularFile(library, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try {
        return privateDirectory(directory) && ownedAndPrivate(library);
      } catch (IOException e) {
        return false;
      }
    }
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        return false;
      }
      if (!privateDirectory(directory)) {
        return false; // another user could swap the library: let JNA unpack its own
      }
      // Written whole under another name, then renamed: a concurrent start sees all or none.
      Path partial = Files.createTempFile(directory, name, ".partial");
      try {
        // Into the file createTempFile made owner-only (REPLACE_EXISTING would make a new one
        // with the umask's permissions).
        try (java.io.OutputStream out = Files.newOutputStream(partial)) {
          in.transferTo(out);
        }
        Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(partial);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false; // unpacked by its owner, as without the launcher
    }
  }
}
