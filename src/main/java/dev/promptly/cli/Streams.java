package dev.promptly.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** UTF-8 writers on the process's stdout and stderr, whatever the platform's default charset. */
final class Streams {
  private Streams() {
  }

  static PrintWriter stdout() {
    return new PrintWriter(new OutputStreamWriter(
        new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), false);
  }

  static PrintWriter stderr() {
    return new PrintWriter(new OutputStreamWriter(
        new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
  }
}
