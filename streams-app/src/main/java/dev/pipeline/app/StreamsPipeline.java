package dev.pipeline.app;

import java.util.Map;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

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

    /** What a stream thread's uncaught exception does; by default the client shuts down (fail fast). */
    default StreamsUncaughtExceptionHandler uncaughtExceptionHandler() {
        return exception -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
}
