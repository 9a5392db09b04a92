package dev.promptly.cluster;

import com.hazelcast.logging.AbstractLogger;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.LogEvent;
import com.hazelcast.logging.LoggerFactory;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hazelcast's logging for promptly ({@code hazelcast.logging.class}): silent, as a command line
 * tool should be, except that the one thing an operator must hear of is picked out of it. Open
 * source Hazelcast tells a member that the cluster it tried to join has another cluster name only
 * in a log line (ClusterMismatchOp); the joiner then silently forms a cluster of its own and waits
 * forever. This factory turns that line into a call of {@link #onMismatch}. With
 * {@code -Dpromptly.hazelcast.log=jdk} (or {@code slf4j}) everything also goes to that logging.
 */
public final class HazelcastLog implements LoggerFactory {
  // "Node could not join cluster at node: /127.0.0.1:5701 Cause: the target cluster has a
  // different cluster-name" (joiner side); "Received an invalid join request from [127.0.0.1]:5702,
  // cause: members part of different cluster" (master side).
  private static final Pattern REFUSED_BY = Pattern.compile(
      "could not join cluster at node: /?(\\S+) Cause: the target cluster has a different");
  private static final Pattern REFUSED = Pattern.compile(
      "invalid join request from (\\S+), cause: members part of different cluster");

  private static volatile Consumer<String> refusedBy = a -> { };
  private static volatile Consumer<String> refused = a -> { };

  private final LoggerFactory also;

  /** Made by Hazelcast through {@code hazelcast.logging.class}. */
  public HazelcastLog() {
    String type = System.getProperty("promptly.hazelcast.log");
    // (Hazelcast's own newLoggerFactory would read hazelcast.logging.class, this class, again.)
    also = "jdk".equals(type) ? new com.hazelcast.logging.StandardLoggerFactory()
        : "slf4j".equals(type) ? new com.hazelcast.logging.Slf4jFactory() : null;
  }

  /** Installs this factory for the members this JVM starts from now on. */
  static void install() {
    System.setProperty("hazelcast.logging.class", HazelcastLog.class.getName());
  }

  /**
   * Where to report a refusal: {@code refusedBy} gets the address of a member that refused to let
   * this one join (another cluster name or key); {@code refused} the address of a member this one
   * refused.
   */
  static void onMismatch(Consumer<String> refusedBy, Consumer<String> refused) {
    HazelcastLog.refusedBy = refusedBy;
    HazelcastLog.refused = refused;
  }

  @Override
  public ILogger getLogger(String name) {
    ILogger next = also == null ? null : also.getLogger(name);
    return new AbstractLogger() {
      @Override
      public void log(Level level, String message) {
        log(level, message, null);
      }

      @Override
      public void log(Level level, String message, Throwable thrown) {
        if (message != null && level.intValue() >= Level.WARNING.intValue()) {
          Matcher m = REFUSED_BY.matcher(message);
          if (m.find()) {
            refusedBy.accept(m.group(1).replace("[", "").replace("]", ""));
          }
          m = REFUSED.matcher(message);
          if (m.find()) {
            refused.accept(m.group(1).replace("[", "").replace("]", ""));
          }
        }
        if (next != null) {
          next.log(level, message, thrown);
        }
      }

      @Override
      public void log(LogEvent event) {
        log(event.getLogRecord().getLevel(), event.getLogRecord().getMessage(),
            event.getLogRecord().getThrown());
      }

      @Override
      public Level getLevel() {
        return next != null ? next.getLevel() : Level.WARNING;
      }

      @Override
      public boolean isLoggable(Level level) {
        return level.intValue() >= Level.WARNING.intValue()
            || next != null && next.isLoggable(level);
      }
    };
  }
}
