package dev.promptly.dsl;

import java.nio.file.Path;

/**
 * Where something stands in a dialogue file: 1-based line and column. In a file brought in by
 * {@code include:}, {@code via} is where the including step stands (itself possibly included),
 * and the place reads as the chain: {@code a.yaml:3:5 -> login.yaml:7:3}.
 */
public record SourcePos(Path file, int line, int column, SourcePos via) {
  /** A place in a file of its own (not included). */
  public SourcePos(Path file, int line, int column) {
    this(file, line, column, null);
  }

  public static SourcePos unknown(Path file) {
    return new SourcePos(file, 0, 0);
  }

  /** The same place, at another column of its line. */
  public SourcePos withColumn(int column) {
    return new SourcePos(file, line, column, via);
  }

  /** The place in the file that was loaded: the first link of the include chain. */
  public SourcePos outermost() {
    return via == null ? this : via.outermost();
  }

  @Override
  public String toString() {
    String here = line > 0 ? file + ":" + line + ":" + column : String.valueOf(file);
    return via == null ? here : via + " -> " + here;
  }
}
