package dev.promptly.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The processes of a session, from /proc (Linux has no call that lists them). */
final class Sessions {
  private static final Path PROC = Path.of("/proc");

  private Sessions() {
  }

  /** Pids of the processes whose session id is {@code sid}, the leader included; may be stale. */
  static List<Integer> members(int sid) {
    List<Integer> pids = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (!name.isEmpty() && Character.isDigit(name.charAt(0)) && sessionOf(dir) == sid) {
          pids.add(Integer.parseInt(name));
        }
      }
    } catch (IOException | RuntimeException e) {
      // No /proc: the process group signal is all there is.
    }
    return pids;
  }

  /** Field 6 of /proc/PID/stat; -1 when the process is gone or the line is not understood. */
  static int sessionOf(Path procDir) {
    String stat;
    try {
      stat = new String(Files.readAllBytes(procDir.resolve("stat")), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return -1;
    }
    return parseSession(stat);
  }

  /** "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses. */
  static int parseSession(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return -1;
    }
    String[] fields = stat.substring(close + 1).trim().split(" ", 5);
    if (fields.length < 4) {
      return -1;
    }
    try {
      return Integer.parseInt(fields[3]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
