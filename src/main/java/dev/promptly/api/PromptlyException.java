package dev.promptly.api;

/**
 * Something a session could not do: start the program, send within the time limit, see the
 * child exit in time. The message says what, with the last lines the child wrote where they
 * help, as the command line would.
 */
public class PromptlyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message for a person.
   *
   * @param message what went wrong
   */
  public PromptlyException(String message) {
    super(message);
  }

  /**
   * An exception with a message for a person and its cause.
   *
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public PromptlyException(String message, Throwable cause) {
    super(message, cause);
  }
}
