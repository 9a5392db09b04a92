package dev.promptly.dsl;

import java.nio.file.Path;

/** Where something stands in a dialogue file: 1-based line and column. */
public record SourcePos(Path file, int line, int column) {
  public static SourcePos unknown(Path file) {
    return new SourcePos(file, 0, 0);
  }

  /** The same place, at another column of its line. */
  public SourcePos withColumn(int column) {
    return new SourcePos(file, line, column);
  }

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line + ":" + column : String.valueOf(file);
  }
}
