package dev.promptly.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import org.slf4j.LoggerFactory;

/**
 * The command line's logging, set up in code by {@link Main} at start: warnings and errors to
 * stderr, and {@code -v} for engine events at DEBUG. The library never configures logging (no
 * Logback {@code Configurator} service in the jar: it would set the root logger of every
 * application that uses promptly); only the command does, here. Logback is an optional dependency
 * of promptly, present in the CLI's own jar. Whoever configures Logback themselves wins: with
 * {@code -Dlogback.configurationFile} or a {@code logback-test.xml} / {@code logback.xml} on the
 * class path, Logback reads that as usual and nothing is changed here.
 */
final class Logging {
  /** The system property with which a user points Logback at their own configuration. */
  static final String CONFIG_PROPERTY = "logback.configurationFile";
  /** Logback's system property naming a listener of its own status messages. */
  static final String STATUS_LISTENER_PROPERTY = "logback.statusListenerClass";
  /** The name of the stderr appender. */
  static final String APPENDER = "STDERR";

  private Logging() {
  }

  /**
   * The quiet default of the command: called first in {@code main}, before anything logs. Logback
   * configures itself as usual (with no file, its console default), then is reset to warnings and
   * errors on stderr. Does nothing when the user configured Logback, or when another SLF4J backend
   * is in use.
   */
  static void quiet() {
    if (userConfigured()) {
      return;
    }
    // Logback's own troubles reach stderr through this listener, set before Logback starts:
    // without one Logback prints them itself after configuring, and the class that does so loads
    // the time-zone database first, whatever happened (4-5 ms of every start, measured).
    if (System.getProperty(STATUS_LISTENER_PROPERTY) == null) {
      System.setProperty(STATUS_LISTENER_PROPERTY, StatusToStderr.class.getName());
    }
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.reset();
      configure(context);
    }
  }

  private static boolean userConfigured() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = Logging.class.getClassLoader();
    }
    return System.getProperty(CONFIG_PROPERTY) != null
        || loader.getResource("logback-test.xml") != null
        || loader.getResource("logback.xml") != null;
  }

  /** Warnings and errors of every logger to stderr. */
  static void configure(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    // Milliseconds since start rather than the clock: a %d pattern loads the time-zone database
    // at start-up (6-8 ms of every run, measured), and the time since start is what a -v reader
    // compares anyway.
    encoder.setPattern("%6relative %-5level %logger{20} - %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName(APPENDER);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
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

  /** Logback's own warnings and errors (a bad appender, say) on stderr, one line each. */
  public static final class StatusToStderr implements StatusListener {
    /** Made by Logback, by name, from {@link #STATUS_LISTENER_PROPERTY}. */
    public StatusToStderr() {
    }

    @Override
    public void addStatusEvent(Status status) {
      if (status.getEffectiveLevel() >= Status.WARN) {
        System.err.println("logback: " + status.getMessage()
            + (status.getThrowable() == null ? "" : ": " + status.getThrowable()));
      }
    }

    @Override
    public boolean isResetResistant() {
      return true; // survives the reset in quiet()
    }
  }
}
