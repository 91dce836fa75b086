package dev.pipeline.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What {@code run} shows on the console: its own lines (banner, pipeline states, drops,
 * rate-limited) and only the ERRORs of Kafka's clients, Streams and the embedded broker, whose
 * INFO and WARN lines (about 80 in the first minute, some alarming-looking and harmless) go to
 * {@code <state-dir>/logs/kafka.log} instead. {@code --verbose} leaves everything on the console.
 */
final class ConsoleLogging {
    private static final List<String> KAFKA_LOGGERS = List.of("kafka", "org.apache.kafka", "state.change.logger");
    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n";

    private ConsoleLogging() {}

    /** The routing in force; {@link #close()} puts Kafka's loggers back on the console (tests). */
    record Routing(Path file, Runnable undo) implements AutoCloseable {
        @Override
        public void close() {
            undo.run();
        }
    }

    /** Routes Kafka's loggers to the file; null when logback is not the binding. */
    static Routing kafkaToFile(Path stateDir) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return null;
        }
        Path file = stateDir.resolve("logs").resolve("kafka.log").toAbsolutePath();
        FileAppender<ILoggingEvent> toFile = new FileAppender<>();
        toFile.setContext(ctx);
        toFile.setName("kafka-file");
        toFile.setFile(file.toString());
        toFile.setAppend(true);
        toFile.setEncoder(encoder(ctx, "%d{ISO8601} %-5level [%thread] %logger - %msg%n"));
        toFile.start();

        ConsoleAppender<ILoggingEvent> errors = new ConsoleAppender<>();
        errors.setContext(ctx);
        errors.setName("kafka-errors");
        errors.setTarget("System.err");
        errors.setEncoder(encoder(ctx, PATTERN));
        ThresholdFilter onlyErrors = new ThresholdFilter();
        onlyErrors.setLevel(Level.ERROR.levelStr);
        onlyErrors.start();
        errors.addFilter(onlyErrors);
        errors.addFilter(new RetriedByTheProducer());
        errors.start();

        for (String name : KAFKA_LOGGERS) {
            Logger logger = ctx.getLogger(name);
            logger.setAdditive(false);
            logger.setLevel(Level.INFO);
            logger.addAppender(toFile);
            logger.addAppender(errors);
        }
        return new Routing(file, () -> {
            for (String name : KAFKA_LOGGERS) {
                Logger logger = ctx.getLogger(name);
                logger.detachAppender(toFile);
                logger.detachAppender(errors);
                logger.setAdditive(true);
            }
            toFile.stop();
            errors.stop();
        });
    }

    /**
     * The broker logs an ERROR with a stack trace for a produce it refuses on purpose so that the
     * producer retries it: under transactions v2 the first batches of a transaction that race the
     * previous one's completion (CONCURRENT_TRANSACTIONS, then out-of-order sequences behind it;
     * KAFKA-18202 made that rejection retriable). Orders' exactly-once producers meet it at every
     * start. It stays in the file; on the console it read like data loss.
     */
    static final class RetriedByTheProducer extends Filter<ILoggingEvent> {
        @Override
        public FilterReply decide(ILoggingEvent event) {
            IThrowableProxy t = event.getThrowableProxy();
            boolean retried = "kafka.server.ReplicaManager".equals(event.getLoggerName()) && t != null
                    && t.getClassName().endsWith(".OutOfOrderSequenceException")
                    && String.valueOf(t.getMessage()).contains("transactions v2");
            return retried ? FilterReply.DENY : FilterReply.NEUTRAL;
        }
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }
}
