package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promptly.api.BlockingSession;
import dev.promptly.api.Promptly;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host on Logback without a configuration file of its own, so Logback's default: the root logger
 * at DEBUG with one console appender. promptly must leave it so (a Logback Configurator service in
 * its jar once turned this root logger to WARN), and its events go where the host's configuration
 * sends them. Run by the surefire execution "logback-host", which adds logback-classic to the
 * class path (Logback is read by reflection: it is no compile dependency of this project).
 */
class LogbackHostTest {
  @Test
  void theRootLoggerKeepsTheHostsLevelAndAppendersAndGetsPromptlysEvents() throws Exception {
    assertEquals("ch.qos.logback.classic.LoggerContext",
        LoggerFactory.getILoggerFactory().getClass().getName());
    Object root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    assertEquals("DEBUG", level(root), "Logback's default level, as the host left it");
    List<String> appenders = appenders(root);

    // Logback's default console appender writes to whatever System.out is at the time.
    PrintStream stdout = System.out;
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    System.setOut(new PrintStream(seen, true, StandardCharsets.UTF_8));
    try (BlockingSession cat = Promptly.blocking().spawn("cat")) {
      cat.sendLine("hello, cat");
      cat.expect("hello, cat");
      cat.closeInput();
      assertEquals(0, cat.exit().code());
    } finally {
      System.setOut(stdout);
    }

    assertEquals("DEBUG", level(root));
    assertEquals(appenders, appenders(root));
    String logged = seen.toString(StandardCharsets.UTF_8);
    assertTrue(logged.contains("DEBUG promptly.engine"), "promptly's events at the host's level:\n"
        + logged);
  }

  private static String level(Object logger) throws Exception {
    return String.valueOf(logger.getClass().getMethod("getLevel").invoke(logger));
  }

  private static List<String> appenders(Object logger) throws Exception {
    List<String> names = new ArrayList<>();
    Iterator<?> it = (Iterator<?>) logger.getClass().getMethod("iteratorForAppenders")
        .invoke(logger);
    while (it.hasNext()) {
      Object appender = it.next();
      names.add(appender.getClass().getName() + ":"
          + appender.getClass().getMethod("getName").invoke(appender));
    }
    return names;
  }
}
