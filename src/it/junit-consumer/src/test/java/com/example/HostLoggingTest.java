package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.promptly.api.BlockingSession;
import dev.promptly.api.Promptly;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This project is a host whose SLF4J backend is its own choice, slf4j-simple: promptly runs a real
 * child through it and leaves the host's logging as it was (backend, levels, logging properties).
 */
class HostLoggingTest {
  @Test
  void aChildRunsAndTheHostsLoggingIsUnchanged() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    assertEquals("org.slf4j.simple.SimpleLoggerFactory", factory.getClass().getName());
    Logger root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    Logger engine = LoggerFactory.getLogger("promptly.engine");
    boolean[] before = {root.isInfoEnabled(), root.isDebugEnabled(), engine.isDebugEnabled()};
    Map<String, String> properties = loggingProperties();
    java.util.logging.Level jul = java.util.logging.Logger.getLogger("").getLevel();

    try (BlockingSession cat = Promptly.blocking().spawn("cat")) {
      cat.sendLine("hello, cat");
      cat.expect("hello, cat");
      cat.closeInput();
      assertEquals(0, cat.exit().code());
    }

    assertSame(factory, LoggerFactory.getILoggerFactory());
    assertEquals(before[0], root.isInfoEnabled());
    assertEquals(before[1], root.isDebugEnabled());
    assertEquals(before[2], engine.isDebugEnabled());
    assertEquals(properties, loggingProperties());
    assertEquals(jul, java.util.logging.Logger.getLogger("").getLevel());
  }

  /** System properties through which a library could reconfigure logging. */
  static Map<String, String> loggingProperties() {
    Map<String, String> found = new TreeMap<>();
    System.getProperties().forEach((k, v) -> {
      String key = k.toString();
      if (key.contains("slf4j") || key.contains("logback") || key.contains("log4j")
          || key.startsWith("java.util.logging")) {
        found.put(key, v.toString());
      }
    });
    return found;
  }
}
