package dev.promptly.dsl;

/**
 * One error in a dialogue file.
 *
 * @param pos where it is (1-based line and column)
 * @param message what is wrong, one line
 */
public record Problem(SourcePos pos, String message) {
  /** {@code FILE:LINE:COLUMN: message}, the form editors and CI annotate. */
  @Override
  public String toString() {
    return pos + ": " + message;
  }
}
