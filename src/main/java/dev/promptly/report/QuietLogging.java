package dev.promptly.report;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;

/**
 * promptly's default logging, set up in code: warnings and errors to stderr, as the
 * {@code logback.xml} it replaces did. Parsing that XML took an XML parser and ~30 ms of every
 * start of the command line. Whoever configures Logback themselves wins: with
 * {@code -Dlogback.configurationFile} or a {@code logback.xml} / {@code logback-test.xml} on the
 * class path (an application using promptly as a library), Logback reads that as usual.
 */
public final class QuietLogging extends ContextAwareBase implements Configurator {
  /** The name of the stderr appender. */
  public static final String APPENDER = "STDERR";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = QuietLogging.class.getClassLoader();
    }
    if (System.getProperty("logback.configurationFile") != null
        || loader.getResource("logback-test.xml") != null
        || loader.getResource("logback.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
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
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    // Logback's own troubles still reach stderr, through a listener: without one Logback prints
    // them itself after configuring, and the class that does so loads the time-zone database
    // first, whatever happened (4-5 ms of every start, measured).
    // (Logback's own listeners format every status they are handed, with a clock.)
    context.getStatusManager().add((StatusListener) status -> {
      if (status.getEffectiveLevel() >= Status.WARN) {
        System.err.println("logback: " + status.getMessage()
            + (status.getThrowable() == null ? "" : ": " + status.getThrowable()));
      }
    });
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
