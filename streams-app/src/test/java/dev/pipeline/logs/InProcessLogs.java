package dev.pipeline.logs;

import static org.awaitility.Awaitility.await;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.PipelineStreamsConfig;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.registry.SchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.DropReason;
import io.micrometer.core.instrument.Gauge;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The logs pipeline in this JVM on a real broker, wired as {@code run} wires it (exception
 * handlers, the pipeline's own Streams settings), with its metrics at hand for sampling.
 */
final class InProcessLogs implements AutoCloseable {
    final PipelineMetrics metrics = PipelineMetrics.inMemory();
    final PipelineConfig config;
    final LogsPipeline pipeline;
    final KafkaStreams streams;

    InProcessLogs(LogsKafka kafka, Path stateDir, Map<String, ?> overrides) {
        Map<String, Object> all = new HashMap<>(LogsKafka.topicConfig(kafka.topics));
        all.put("bootstrap.servers", kafka.bootstrap);
        all.put("schema.registry.url", kafka.registryUrl);
        all.put("state.dir", stateDir.toString());
        all.putAll(overrides);
        config = PipelineConfig.defaults().with(all);
        SchemaRegistryClient registry = SchemaRegistryClients.create(kafka.serdeConfig);
        SerdeFactory serdes = SerdeFactory.over(registry);
        pipeline = LogsPipeline.create(new PipelineContext(config, kafka.topics, serdes, metrics));
        streams = new KafkaStreams(pipeline.topology(), PipelineStreamsConfig.of(pipeline, config, metrics));
    }

    InProcessLogs start() {
        streams.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        return this;
    }

    double gauge(String name) {
        Gauge g = metrics.registry().find(name).tag(MetricNames.TAG_PIPELINE, "logs").gauge();
        return g == null ? Double.NaN : g.value();
    }

    long in() {
        return (long) metrics.recordsIn("logs").count();
    }

    long out() {
        return (long) metrics.recordsOut("logs").count();
    }

    long dropped(DropReason reason) {
        return (long) metrics.dropped("logs", reason.label()).count();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
