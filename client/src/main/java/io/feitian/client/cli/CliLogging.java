package io.feitian.client.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * The CLI's output is for people and scripts: library logging goes to
 * stderr, warnings only (FEITIAN_LOG_LEVEL=DEBUG for more), so `--json`
 * output stays parseable.
 */
final class CliLogging {
  private CliLogging() {}

  static void toStderr() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern("%level %logger{20} - %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> err = new ConsoleAppender<>();
    err.setContext(ctx);
    err.setTarget("System.err");
    err.setEncoder(encoder);
    err.start();
    root.addAppender(err);
    String level = System.getenv("FEITIAN_LOG_LEVEL");
    root.setLevel(Level.toLevel(level, Level.WARN));
    ctx.getLogger("org.apache.zookeeper").setLevel(Level.ERROR);
  }
}
