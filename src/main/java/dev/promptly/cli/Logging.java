package dev.promptly.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.promptly.report.DeferredLogging;

/** {@code -v}: engine events at DEBUG, unless the user configured Logback themselves. */
final class Logging {
  /** The system property with which a user points Logback at their own configuration. */
  static final String CONFIG_PROPERTY = "logback.configurationFile";

  private Logging() {
  }

  /**
   * Keeps Logback from starting in a run without {@code -v} (it starts at the first warning):
   * call before anything logs. Only where the user did not choose a provider or a Logback
   * configuration; SLF4J's own notices stay on at warning level.
   */
  static void deferUntilNeeded() {
    if (System.getProperty(DeferredLogging.PROVIDER_PROPERTY) == null
        && System.getProperty(CONFIG_PROPERTY) == null) {
      System.setProperty(DeferredLogging.PROVIDER_PROPERTY, DeferredLogging.class.getName());
      if (System.getProperty("slf4j.internal.verbosity") == null) {
        // Otherwise SLF4J announces the provider it was given on stderr at every start.
        System.setProperty("slf4j.internal.verbosity", "WARN");
      }
    }
  }

  /**
   * Turns the {@code promptly} loggers to DEBUG (starting Logback if it was deferred). With
   * {@code -Dlogback.configurationFile=...} the user's file decides, and nothing is changed here. Returns what puts the level back (tests run
   * many commands in one JVM).
   */
  static Runnable verbose() {
    if (System.getProperty(CONFIG_PROPERTY) != null
        || !(DeferredLogging.start().getLogger("promptly") instanceof Logger logger)) {
      return () -> { };
    }
    Level before = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    return () -> logger.setLevel(before);
  }
}
