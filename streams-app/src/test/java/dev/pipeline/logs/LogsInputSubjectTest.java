package dev.pipeline.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.config.LogsKeys;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import dev.pipeline.testing.ConfluentWire;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app reads its input subject and never writes to it: a producer's schema (here without the
 * Java-only {@code avro.java.string} property our generated classes carry, as any non-Java
 * producer writes it) stays the only version of {@code logs-raw-value}, and DLQ records carry the
 * producer's bytes, schema id included.
 */
class LogsInputSubjectTest {
    @TempDir
    Path stateDir;

    @Test
    void shouldNeverRegisterUnderTheInputSubjectAndDeadLetterTheProducersBytes() {
        try (LogsDriver logs = new LogsDriver(stateDir, Map.of(LogsKeys.BATCH_MAX_RECORDS_CONFIG, 2,
                LogsKeys.LATE_GRACE_MS_CONFIG, 1_000))) {
            Schema producers = new Schema.Parser().parse(LogEvent.getClassSchema().toString().replace(
                    ",\"avro.java.string\":\"String\"", ""));
            assertThat(producers.toString()).doesNotContain("avro.java.string");
            int id = logs.registry.register("logs-raw-value", producers);
            TestInputTopic<String, byte[]> raw = logs.driver.createInputTopic(logs.topics.logsRaw(),
                    Serdes.String().serializer(), new ByteArraySerializer());

            byte[] late = ConfluentWire.frame(id, producers, LogsDriver.event("api", "late", LogLevel.INFO, LogsDriver.T0));
            raw.pipeInput("api", ConfluentWire.frame(id, producers, LogsDriver.event("api", "a1", LogLevel.INFO,
                    LogsDriver.T0.plusMillis(10_000))), LogsDriver.T0.plusMillis(10_000));
            raw.pipeInput("api", late, LogsDriver.T0);
            raw.pipeInput("api", ConfluentWire.frame(id, producers, LogsDriver.event("api", "a2", LogLevel.WARN,
                    LogsDriver.T0.plusMillis(10_001))), LogsDriver.T0.plusMillis(10_001));

            assertThat(logs.output.readValue().getCount()).isEqualTo(2);
            var dead = logs.dlq.readRecord();
            assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).isEqualTo("late");
            assertThat(dead.value()).as("the producer's bytes, not a re-serialization").isEqualTo(late);
            assertThat(logs.registry.latest("logs-raw-value").version()).as("only the producer's version").isEqualTo(1);
            assertThat(logs.registry.latest("logs-raw-value").id()).isEqualTo(id);
        }
    }
}
