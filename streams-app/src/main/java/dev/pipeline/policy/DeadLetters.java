package dev.pipeline.policy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The dead-letter record format: original key and value bytes, with the {@code pipeline.error.*}
 * headers of CONTRACT.md. Topologies write these through a sink node named {@link #SINK_NAME}
 * (so under exactly-once they commit with the task); Kafka Streams' own handlers return them as
 * {@link ProducerRecord}s through its dead-letter-queue support.
 */
public final class DeadLetters {
    private DeadLetters() {}

    /** Name of the sink node every topology adds for the dead-letter topic. */
    public static final String SINK_NAME = "dead-letter-sink";

    public static final String REASON = "pipeline.error.reason";
    public static final String PIPELINE = "pipeline.error.pipeline";
    public static final String ATTEMPTS = "pipeline.error.attempts";
    public static final String EXCEPTION = "pipeline.error.exception";
    public static final String MESSAGE = "pipeline.error.message";
    public static final String SOURCE_TOPIC = "pipeline.error.topic";
    public static final String SOURCE_PARTITION = "pipeline.error.partition";
    public static final String SOURCE_OFFSET = "pipeline.error.offset";

    private static final int MAX_MESSAGE_CHARS = 1_000;

    /** Where a dropped record came from; {@code -1}s when unknown (e.g. a punctuator's eviction). */
    public record Source(String topic, int partition, long offset) {
        public static final Source UNKNOWN = new Source("", -1, -1L);
    }

    public static Headers headers(Headers base, DropReason reason, String pipeline, int attempts, Source source,
            Throwable cause) {
        Headers h = new RecordHeaders(base == null ? new RecordHeaders().toArray() : base.toArray());
        put(h, REASON, reason.label());
        put(h, PIPELINE, pipeline);
        put(h, ATTEMPTS, Integer.toString(attempts));
        put(h, SOURCE_TOPIC, source.topic());
        put(h, SOURCE_PARTITION, Integer.toString(source.partition()));
        put(h, SOURCE_OFFSET, Long.toString(source.offset()));
        if (cause != null) {
            put(h, EXCEPTION, cause.getClass().getName());
            put(h, MESSAGE, truncate(String.valueOf(cause.getMessage())));
        }
        return h;
    }

    /** A record for the {@link #SINK_NAME} child of a processor. */
    public static Record<byte[], byte[]> record(byte[] key, byte[] value, long timestamp, Headers headers) {
        return new Record<>(key, value, timestamp, headers);
    }

    /** A record for Kafka Streams' own dead-letter-queue path (exception handlers). */
    public static ProducerRecord<byte[], byte[]> producerRecord(String dlqTopic, byte[] key, byte[] value,
            long timestamp, Headers headers) {
        return new ProducerRecord<>(dlqTopic, null, timestamp < 0 ? null : timestamp, key, value, headers);
    }

    public static String header(Headers headers, String name) {
        var h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void put(Headers h, String name, String value) {
        h.remove(name);
        h.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String truncate(String s) {
        return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
