package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ConsoleLoggingTest {
    @TempDir
    Path stateDir;

    @Test
    void shouldSendKafkasOwnLinesToTheStateDirAndKeepTheAppsOnTheConsole() throws Exception {
        try (ConsoleLogging.Routing routing = ConsoleLogging.kafkaToFile(stateDir)) {
            LoggerFactory.getLogger("org.apache.kafka.streams.processor.internals.StateDirectory")
                    .warn("Using an OS temp directory in the state.dir property");
            LoggerFactory.getLogger("kafka.server.KafkaRaftServer").info("Kafka Server started");
            LoggerFactory.getLogger("dev.pipeline.app.PipelineApplication").info("Pipeline logs: CREATED -> REBALANCING");

            assertThat(routing.file()).isEqualTo(stateDir.resolve("logs/kafka.log").toAbsolutePath());
            String written = Files.readString(routing.file());
            assertThat(written).contains("Using an OS temp directory", "Kafka Server started");
            assertThat(written).as("the app's own lines stay on the console").doesNotContain("CREATED -> REBALANCING");
            assertThat(((Logger) LoggerFactory.getLogger("org.apache.kafka")).isAdditive())
                    .as("not also on the console").isFalse();
        }
        assertThat(((Logger) LoggerFactory.getLogger("org.apache.kafka")).isAdditive()).isTrue();
    }

    @Test
    void shouldKeepTheBrokersRetriedTransactionsV2RejectionOffTheConsoleOnly() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger broker = ctx.getLogger("kafka.server.ReplicaManager");
        var retried = new LoggingEvent("x", broker, Level.ERROR,
                "Error processing append operation on partition orders-processed-0",
                new OutOfOrderSequenceException("Invalid sequence number for producer 3 at "
                        + "offset 2: 5 (incoming seq. number). Expected sequence 0 for transactions v2 idempotent producer"),
                null);
        var diskError = new LoggingEvent("x", broker, Level.ERROR,
                "Error processing append operation", new IOException("No space left on device"), null);

        var filter = new ConsoleLogging.RetriedByTheProducer();
        assertThat(filter.decide(retried)).isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(diskError)).isEqualTo(FilterReply.NEUTRAL);
    }
}
