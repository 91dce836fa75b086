package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
            assertThat(((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.kafka")).isAdditive())
                    .as("not also on the console").isFalse();
        }
        assertThat(((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.kafka")).isAdditive()).isTrue();
    }
}
