package dev.promptly.report;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.spi.LocationAwareLogger;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The command line's SLF4J provider: Logback, started only when something is to be logged. A run
 * without {@code -v} logs nothing (warnings and errors aside), yet starting Logback with its
 * configuration was a fifth of the Java work of a short run's start-up (measured by sampling the
 * main thread, issue 20). Until Logback is started, every logger says DEBUG and INFO are off and
 * WARN and ERROR are on; the first warning or error starts Logback (with {@link QuietLogging}, or
 * the user's own configuration) and goes through it, as does everything after. {@code -v} starts
 * it up front ({@link #start()}).
 *
 * <p>Chosen by {@code cli.Main} through SLF4J's {@code slf4j.provider} system property, only for
 * the command line and only when the user did not point Logback at a configuration of their own;
 * an application using promptly as a library keeps its own SLF4J binding.
 */
public final class DeferredLogging implements SLF4JServiceProvider {
  /** SLF4J's property naming the provider to use instead of searching the class path. */
  public static final String PROVIDER_PROPERTY = "slf4j.provider";

  private static final Object LOCK = new Object();
  /** Logback's factory once started; null before. */
  private static volatile ILoggerFactory started;

  private final ILoggerFactory factory = new Loggers();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new BasicMDCAdapter();

  /**
   * Starts Logback now, if it was deferred, and returns the factory of its loggers; when this
   * provider is not the one SLF4J uses, SLF4J's own factory.
   *
   * @return the logger factory that really logs
   */
  public static ILoggerFactory start() {
    ILoggerFactory bound = org.slf4j.LoggerFactory.getILoggerFactory();
    if (!(bound instanceof Loggers)) {
      return bound;
    }
    ILoggerFactory f = started;
    if (f == null) {
      synchronized (LOCK) {
        f = started;
        if (f == null) {
          ch.qos.logback.classic.spi.LogbackServiceProvider logback =
              new ch.qos.logback.classic.spi.LogbackServiceProvider();
          logback.initialize();
          f = logback.getLoggerFactory();
          started = f;
        }
      }
    }
    return f;
  }

  /** Whether Logback was started (by a warning, an error or {@code -v}). */
  public static boolean isStarted() {
    return started != null;
  }

  /** The loggers handed out while this provider is SLF4J's, one per name. */
  private static final class Loggers implements ILoggerFactory {
    private final Map<String, Deferred> byName = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
      return byName.computeIfAbsent(name, Deferred::new);
    }
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
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

  @Override
  public void initialize() {
    // Nothing: the point is to do nothing until a message is due.
  }

  /** A logger that stands in for Logback's until Logback is started. */
  private static final class Deferred extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private transient volatile Logger target;

    Deferred(String name) {
      this.name = name;
    }

    /** Logback's logger of this name once Logback runs; null before. */
    private Logger target() {
      Logger t = target;
      if (t == null) {
        ILoggerFactory f = started;
        if (f != null) {
          t = f.getLogger(name);
          target = t;
        }
      }
      return t;
    }

    @Override
    public boolean isTraceEnabled() {
      Logger t = target();
      return t != null && t.isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
      Logger t = target();
      return t != null && t.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
      Logger t = target();
      return t != null && t.isInfoEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
      Logger t = target();
      return t == null || t.isWarnEnabled();
    }

    @Override
    public boolean isErrorEnabled() {
      Logger t = target();
      return t == null || t.isErrorEnabled();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String message,
                                               Object[] arguments, Throwable throwable) {
      Logger t = target();
      if (t == null) {
        if (level.toInt() < Level.WARN.toInt()) {
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
