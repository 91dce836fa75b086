package dev.pipeline.app;

import java.util.Map;
import org.apache.kafka.streams.Topology;

/**
 * One Kafka Streams application of the product (logs, orders): its topology and the Streams
 * settings that are its own. {@link PipelineApplication} adds the shared settings (bootstrap,
 * state dir, exception handlers, client security), runs it and reports its state.
 */
public interface StreamsPipeline {
    /** {@code logs} or {@code orders}: the {@code pipeline} metric label. */
    String name();

    Topology topology();

    /** Settings this pipeline owns: application.id, processing.guarantee, commit interval, ... */
    Map<String, Object> streamsProperties();

    /** Extra terms for /api/status (buffered, capacity, breaker state, conservation check...). */
    default Map<String, Object> status() {
        return Map.of();
    }
}
