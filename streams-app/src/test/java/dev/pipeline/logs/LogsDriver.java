package dev.pipeline.logs;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.PipelineStreamsConfig;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.SchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The logs topology in a TopologyTestDriver with Avro serdes over a {@code mock://} registry. */
final class LogsDriver implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final PipelineMetrics metrics = PipelineMetrics.inMemory();
    final String scope = "logs-test-" + UUID.randomUUID();
    final SchemaRegistryClient registry = SchemaRegistryClients.mock(scope);
    final AvroSerde<LogEvent> events = new AvroSerde<>(registry, LogEvent.class);
    final Topics topics = Topics.defaults();
    final LogsPipeline pipeline;
    final TopologyTestDriver driver;
    final TestInputTopic<String, LogEvent> input;
    final TestOutputTopic<String, LogBatch> output;
    final TestOutputTopic<byte[], byte[]> dlq;
    private boolean closed;

    LogsDriver(Path stateDir, Map<String, ?> overrides) {
        PipelineConfig config = PipelineConfig.defaults().with(overrides);
        SerdeFactory serdes = SerdeFactory.over(registry);
        pipeline = LogsPipeline.create(new PipelineContext(config, topics, serdes, metrics));
        driver = new TopologyTestDriver(pipeline.topology(), PipelineStreamsConfig.of(pipeline, config, metrics,
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092", StreamsConfig.STATE_DIR_CONFIG,
                        stateDir.toString())), T0);
        input = driver.createInputTopic(topics.logsRaw(), Serdes.String().serializer(), events.serializer());
        output = driver.createOutputTopic(topics.logsAggregated(), Serdes.String().deserializer(),
                new AvroSerde<>(registry, LogBatch.class).deserializer());
        dlq = driver.createOutputTopic(topics.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static LogEvent event(String service, String id, LogLevel level, Instant ts) {
        return LogEvent.newBuilder().setEventId(id).setTimestamp(ts).setService(service).setHost("host-1")
                .setLevel(level).setMessage("message " + id).build();
    }

    /** Pipes an INFO event with record timestamp = event timestamp = {@code T0 + offsetMs}. */
    void send(String service, String id, long offsetMs) {
        send(service, id, LogLevel.INFO, offsetMs);
    }

    void send(String service, String id, LogLevel level, long offsetMs) {
        Instant ts = T0.plusMillis(offsetMs);
        input.pipeInput(service, event(service, id, level, ts), ts);
    }

    void advance(long ms) {
        driver.advanceWallClockTime(Duration.ofMillis(ms));
    }

    double dropped(DropReason reason) {
        return metrics.dropped("logs", reason.label()).count();
    }

    double gauge(String name) {
        return metrics.registry().get(name).tag("pipeline", "logs").gauge().value();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            driver.close();
            SchemaRegistryClients.dropMock(scope);
        }
    }
}
