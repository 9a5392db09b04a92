package dev.promptly.process;

/** The child could not be started; the message is one line a user can act on. */
public final class SpawnException extends Exception {
  public SpawnException(String message) {
    super(message);
  }
}
