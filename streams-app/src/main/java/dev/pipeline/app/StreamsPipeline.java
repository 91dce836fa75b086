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

    /**
     * Empties what the pipeline holds back (buffers) now, ahead of the final commit: called once,
     * by the closing thread, just before {@code KafkaStreams.close()}. Kafka Streams commits a task
     * before it calls {@code Processor.close()} (at shutdown and when a task is revoked), so records
     * forwarded or stores written in {@code close()} are not part of any commit. A pipeline that
     * buffers flushes on this signal instead (from its punctuator, on the stream thread) and then
     * reports {@link #drained()}.
     */
    default void drain() {}

    /** True once nothing is held back; polled after {@link #drain()} for a bounded time. */
    default boolean drained() {
        return true;
    }

    /** What a stream thread's uncaught exception does; by default the client shuts down (fail fast). */
    default StreamsUncaughtExceptionHandler uncaughtExceptionHandler() {
        return exception -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
}
