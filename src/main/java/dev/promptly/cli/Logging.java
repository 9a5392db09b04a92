package dev.promptly.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** {@code -v}: engine events at DEBUG, unless the user configured Logback themselves. */
final class Logging {
  /** The system property with which a user points Logback at their own configuration. */
  static final String CONFIG_PROPERTY = "logback.configurationFile";

  private Logging() {
  }

  /**
   * Turns the {@code promptly} loggers to DEBUG. With {@code -Dlogback.configurationFile=...} the
   * user's file decides, and nothing is changed here. Returns what puts the level back (tests run
   * many commands in one JVM).
   */
  static Runnable verbose() {
    if (System.getProperty(CONFIG_PROPERTY) != null
        || !(LoggerFactory.getLogger("promptly") instanceof Logger logger)) {
      return () -> { };
    }
    Level before = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    return () -> logger.setLevel(before);
  }
}
