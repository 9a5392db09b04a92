package dev.promptly.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.spi.LocationAwareLogger;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

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
  /** SLF4J's system property naming the provider to use instead of looking for one. */
  static final String PROVIDER_PROPERTY = "slf4j.provider";
  /** SLF4J's system property: the level of its own messages on stderr. */
  static final String SLF4J_VERBOSITY_PROPERTY = "slf4j.internal.verbosity";
  /** The name of the stderr appender. */
  static final String APPENDER = "STDERR";

  private Logging() {
  }

  /**
   * The quiet default of the command: called first in {@code main}, before anything logs. SLF4J
   * is pointed at {@link QuietProvider} (its {@code slf4j.provider} property), which sets up
   * Logback in code. Does nothing when the user configured Logback or chose an SLF4J provider,
   * or where Logback is not on the class path.
   */
  static void quiet() {
    if (userConfigured() || System.getProperty(PROVIDER_PROPERTY) != null
        // Logback is optional: on a class path without it the backend there decides.
        || Logging.class.getClassLoader().getResource("ch/qos/logback/classic/LoggerContext.class")
            == null) {
      return;
    }
    System.setProperty(PROVIDER_PROPERTY, QuietProvider.class.getName());
    // SLF4J reports an explicit provider at INFO on stderr; its warnings and errors still show.
    if (System.getProperty(SLF4J_VERBOSITY_PROPERTY) == null) {
      System.setProperty(SLF4J_VERBOSITY_PROPERTY, "WARN");
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

  /**
   * Turns the {@code promptly} loggers to DEBUG (starting Logback if it was waiting). With
   * {@code -Dlogback.configurationFile=...} the user's file decides, and nothing is changed here.
   * Returns what puts the level back (tests run many commands in one JVM).
   */
  static Runnable verbose() {
    if (System.getProperty(CONFIG_PROPERTY) != null) {
      return () -> { };
    }
    return Backend.debug(QuietProvider.start());
  }

  /**
   * Everything that touches Logback's types, in a class of its own: the JVM loads (and verifies)
   * it only when Logback starts, so a quiet run never loads a Logback class.
   */
  static final class Backend {
    private Backend() {
    }

    /** A Logback context set up in code (see {@link QuietProvider}). */
    static ILoggerFactory start() {
      LoggerContext context = new LoggerContext();
      context.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
      context.setMDCAdapter(new LogbackMDCAdapter());
      // Logback's own troubles (a bad appender, say) reach stderr through a listener.
      context.getStatusManager().add((StatusListener) status -> {
        if (status.getEffectiveLevel() >= Status.WARN) {
          System.err.println("logback: " + status.getMessage()
              + (status.getThrowable() == null ? "" : ": " + status.getThrowable()));
        }
      });
      configure(context);
      context.start();
      return context;
    }

    /** The {@code promptly} loggers at DEBUG; what puts the level back. */
    static Runnable debug(ILoggerFactory factory) {
      if (!(factory.getLogger("promptly") instanceof Logger logger)) {
        return () -> { };
      }
      Level before = logger.getLevel();
      logger.setLevel(Level.DEBUG);
      return () -> logger.setLevel(before);
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
  }

  /**
   * Logback configured in code, as SLF4J's provider: no configuration file is looked for or
   * parsed (parsing XML took ~30 ms of every start), and Logback's default console setup is never
   * made (it loads the time-zone database). And Logback is started only when something is to be
   * logged (issue 20): a run without {@code -v} logs nothing but warnings and errors, yet setting
   * up Logback was about a fifth of the Java work of a short run's start (sampled). Until then
   * every logger says DEBUG and INFO are off, WARN and ERROR on; the first warning or error
   * starts Logback and goes through it, as does everything after; {@code -v} starts it at once.
   */
  public static final class QuietProvider implements SLF4JServiceProvider {
    private static final Object LOCK = new Object();
    /** Logback's context once started (as a plain factory: see {@link Backend}); null before. */
    private static volatile ILoggerFactory started;

    private final IMarkerFactory markers = new BasicMarkerFactory();
    // SLF4J's own: Logback's would load Logback. The command puts nothing in the MDC.
    private final MDCAdapter mdc = new org.slf4j.helpers.BasicMDCAdapter();
    private final ILoggerFactory deferred = new DeferredLoggers();

    /** Made by SLF4J, by name, from {@link #PROVIDER_PROPERTY}. */
    public QuietProvider() {
    }

    /**
     * Starts Logback now if it was deferred, and returns the factory of the loggers that really
     * log; where SLF4J is bound to another provider (a user's choice), that one's factory.
     */
    static ILoggerFactory start() {
      ILoggerFactory bound = LoggerFactory.getILoggerFactory();
      if (!(bound instanceof DeferredLoggers)) {
        return bound;
      }
      ILoggerFactory context = started;
      if (context == null) {
        synchronized (LOCK) {
          context = started;
          if (context == null) {
            context = Backend.start();
            started = context;
          }
        }
      }
      return context;
    }

    /** Whether Logback was started (by a warning, an error or {@code -v}). */
    static boolean isStarted() {
      return started != null;
    }

    @Override
    public void initialize() {
      // Nothing: Logback starts when a message is due (start()).
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
      return deferred;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
      return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
      return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
      return "2.0.99";
    }

    /** The loggers SLF4J hands out, one per name, each standing in for Logback's. */
    private static final class DeferredLoggers implements ILoggerFactory {
      private final Map<String, Deferred> byName = new ConcurrentHashMap<>();

      @Override
      public org.slf4j.Logger getLogger(String name) {
        return byName.computeIfAbsent(name, Deferred::new);
      }
    }

    private static final class Deferred extends LegacyAbstractLogger {
      private static final long serialVersionUID = 1L;
      private transient volatile org.slf4j.Logger target;

      Deferred(String name) {
        this.name = name;
      }

      /** Logback's logger of this name once Logback runs; null before. */
      private org.slf4j.Logger target() {
        org.slf4j.Logger t = target;
        if (t == null) {
          ILoggerFactory context = started;
          if (context != null) {
            t = context.getLogger(name);
            target = t;
          }
        }
        return t;
      }

      @Override
      public boolean isTraceEnabled() {
        org.slf4j.Logger t = target();
        return t != null && t.isTraceEnabled();
      }

      @Override
      public boolean isDebugEnabled() {
        org.slf4j.Logger t = target();
        return t != null && t.isDebugEnabled();
      }

      @Override
      public boolean isInfoEnabled() {
        org.slf4j.Logger t = target();
        return t != null && t.isInfoEnabled();
      }

      @Override
      public boolean isWarnEnabled() {
        org.slf4j.Logger t = target();
        return t == null || t.isWarnEnabled();
      }

      @Override
      public boolean isErrorEnabled() {
        org.slf4j.Logger t = target();
        return t == null || t.isErrorEnabled();
      }

      @Override
      protected String getFullyQualifiedCallerName() {
        return null;
      }

      @Override
      protected void handleNormalizedLoggingCall(org.slf4j.event.Level level, Marker marker,
                                                 String message, Object[] arguments,
                                                 Throwable throwable) {
        org.slf4j.Logger t = target();
        if (t == null) {
          if (level.toInt() < org.slf4j.event.Level.WARN.toInt()) {
            return;
          }
          t = start().getLogger(name);
        }
        if (t instanceof LocationAwareLogger located) {
          // Callers are found past SLF4J's AbstractLogger, which called this.
          located.log(marker, org.slf4j.helpers.AbstractLogger.class.getName(), level.toInt(),
              message, arguments, throwable);
        } else {
          t.atLevel(level).setCause(throwable).log(message, arguments);
        }
      }
    }
  }
}
