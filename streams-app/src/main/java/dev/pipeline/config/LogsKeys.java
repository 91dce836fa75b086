package dev.pipeline.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.CaseInsensitiveValidString;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;

/** Keys of the logs capability (the log-aggregation pipeline: buffer, tickers, overflow, sinks). */
public final class LogsKeys {
    private LogsKeys() {}

    public static final String APPLICATION_ID_CONFIG = "logs.application.id";
    private static final String APPLICATION_ID_DOC = "Kafka Streams application.id of the logs pipeline "
            + "(consumer group, prefix of its internal topics).";

    public static final String PROCESSING_GUARANTEE_CONFIG = "logs.processing.guarantee";
    private static final String PROCESSING_GUARANTEE_DOC = "at_least_once (default): after a crash, records "
            + "consumed since the last commit are processed again, so a batch may count an event twice; "
            + "exactly_once_v2: output, DLQ records, buffer and ledger commit atomically.";

    public static final String COMMIT_INTERVAL_MS_CONFIG = "logs.commit.interval.ms";
    private static final String COMMIT_INTERVAL_MS_DOC = "commit.interval.ms of the logs pipeline. Under "
            + "at_least_once a flushed event's buffer entry is deleted only after the next commit (so a crash "
            + "cannot lose it), so this also bounds how long flushed entries linger in the store.";

    public static final String BUFFER_MAX_RECORDS_CONFIG = "logs.buffer.max.records";
    private static final String BUFFER_MAX_RECORDS_DOC = "Most events one task buffers (all services together); "
            + "a record that does not fit triggers logs.buffer.overflow.policy.";

    public static final String BUFFER_MAX_BYTES_CONFIG = "logs.buffer.max.bytes";
    private static final String BUFFER_MAX_BYTES_DOC = "Most bytes one task buffers: the serialized size of "
            + "the buffered entries (store key + value: the event as read, plus a small envelope).";

    public static final String BATCH_MAX_RECORDS_CONFIG = "logs.batch.max.records";
    private static final String BATCH_MAX_RECORDS_DOC = "Events per service that make a full batch: "
            + "reaching it flushes the service (reason SIZE). Also the most events one batch summarises.";

    public static final String BATCH_SAMPLE_SIZE_CONFIG = "logs.batch.sample.size";
    private static final String BATCH_SAMPLE_SIZE_DOC = "Messages copied into a batch's sampleMessages "
            + "(the oldest ones of the batch).";

    public static final String FLUSH_INTERVAL_MS_CONFIG = "logs.flush.interval.ms";
    private static final String FLUSH_INTERVAL_MS_DOC = "Period of the wall-clock ticker that flushes aged "
            + "services (reason TICK) and drains sink results.";

    public static final String FLUSH_MAX_AGE_MS_CONFIG = "logs.flush.max.age.ms";
    private static final String FLUSH_MAX_AGE_MS_DOC = "A service whose oldest buffered event arrived longer "
            + "ago than this (wall clock) is flushed by the next tick, even if it receives nothing more.";

    public static final String FLUSH_MAX_BATCHES_PER_TICK_CONFIG = "logs.flush.max.batches.per.tick";
    private static final String FLUSH_MAX_BATCHES_PER_TICK_DOC = "Most batches one tick emits, so a big "
            + "buffer cannot stall the stream thread; the rest follow on the next ticks.";

    public static final String LATE_GRACE_MS_CONFIG = "logs.late.grace.ms";
    private static final String LATE_GRACE_MS_DOC = "An event whose record timestamp is older than stream "
            + "time minus this is dropped as late (reason late, to the DLQ).";

    public static final String BUFFER_OVERFLOW_POLICY_CONFIG = "logs.buffer.overflow.policy";
    private static final String BUFFER_OVERFLOW_POLICY_DOC = "What happens when a record does not fit the "
            + "buffer: BLOCK (wait up to logs.block.max.ms for flushing to make room, then logs.block.fallback), "
            + "EMIT_EARLY (flush the service with the oldest event now, reason OVERFLOW; nothing lost), "
            + "DROP_NEWEST (drop the incoming record, reason overflow, to the DLQ), DROP_OLDEST (evict the oldest "
            + "buffered events, reason overflow, to the DLQ), FAIL (stop the application with an error).";

    public static final String BLOCK_MAX_MS_CONFIG = "logs.block.max.ms";
    private static final String BLOCK_MAX_MS_DOC = "Longest the stream thread waits for room (BLOCK, and "
            + "EMIT_EARLY when the HTTP sink's window is full) before logs.block.fallback applies. Must be "
            + "below max.poll.interval.ms; after one timed-out wait, records take the fallback at once until "
            + "the sink accepts a batch again.";

    public static final String BLOCK_FALLBACK_CONFIG = "logs.block.fallback";
    private static final String BLOCK_FALLBACK_DOC = "Policy applied when a wait for room times out: "
            + "DROP_NEWEST, DROP_OLDEST or FAIL.";

    public static final String SINK_HTTP_URL_CONFIG = "logs.sink.http.url";
    private static final String SINK_HTTP_URL_DOC = "Optional external sink: each batch is also POSTed as "
            + "JSON to this URL (at-least-once), through the external.* retry, timeout and circuit breaker "
            + "settings; external.call.max.concurrency worker threads make the calls. Empty: batches go to the "
            + "output topic only.";

    public static final String SINK_MAX_IN_FLIGHT_CONFIG = "logs.sink.max.in.flight";
    private static final String SINK_MAX_IN_FLIGHT_DOC = "Batches per task handed to the HTTP sink and not "
            + "yet acknowledged. A full window holds flushes back, so a slow sink fills the buffer and the "
            + "overflow policy decides.";

    static ConfigDef addTo(ConfigDef def) {
        return def
            .define(APPLICATION_ID_CONFIG, Type.STRING, "pipeline-logs", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, APPLICATION_ID_DOC)
            .define(PROCESSING_GUARANTEE_CONFIG, Type.STRING, StreamsConfig.AT_LEAST_ONCE,
                    CaseInsensitiveValidString.in(CoreKeys.PROCESSING_GUARANTEES),
                    Importance.HIGH, PROCESSING_GUARANTEE_DOC)
            .define(COMMIT_INTERVAL_MS_CONFIG, Type.LONG, 5_000L, Range.between(10L, 600_000L), Importance.MEDIUM,
                    COMMIT_INTERVAL_MS_DOC)
            .define(BUFFER_MAX_RECORDS_CONFIG, Type.INT, 100_000, Range.between(1, 10_000_000), Importance.HIGH,
                    BUFFER_MAX_RECORDS_DOC)
            .define(BUFFER_MAX_BYTES_CONFIG, Type.LONG, 64L * 1024 * 1024, Range.between(1_024L, 1L << 40),
                    Importance.HIGH, BUFFER_MAX_BYTES_DOC)
            .define(BATCH_MAX_RECORDS_CONFIG, Type.INT, 500, Range.between(1, 1_000_000), Importance.MEDIUM,
                    BATCH_MAX_RECORDS_DOC)
            .define(BATCH_SAMPLE_SIZE_CONFIG, Type.INT, 5, Range.between(0, 1_000), Importance.LOW,
                    BATCH_SAMPLE_SIZE_DOC)
            .define(FLUSH_INTERVAL_MS_CONFIG, Type.LONG, 1_000L, Range.between(10L, 3_600_000L), Importance.MEDIUM,
                    FLUSH_INTERVAL_MS_DOC)
            .define(FLUSH_MAX_AGE_MS_CONFIG, Type.LONG, 5_000L, Range.between(0L, 86_400_000L), Importance.MEDIUM,
                    FLUSH_MAX_AGE_MS_DOC)
            .define(FLUSH_MAX_BATCHES_PER_TICK_CONFIG, Type.INT, 1_000, Range.between(1, 1_000_000),
                    Importance.LOW, FLUSH_MAX_BATCHES_PER_TICK_DOC)
            .define(LATE_GRACE_MS_CONFIG, Type.LONG, 300_000L, Range.between(0L, 365L * 86_400_000L),
                    Importance.MEDIUM, LATE_GRACE_MS_DOC)
            .define(BUFFER_OVERFLOW_POLICY_CONFIG, Type.STRING, OverflowPolicy.BLOCK.name(),
                    CaseInsensitiveValidString.in(Utils.enumOptions(OverflowPolicy.class)), Importance.HIGH, BUFFER_OVERFLOW_POLICY_DOC)
            .define(BLOCK_MAX_MS_CONFIG, Type.LONG, 10_000L, Range.between(0L, 3_600_000L), Importance.MEDIUM,
                    BLOCK_MAX_MS_DOC)
            .define(BLOCK_FALLBACK_CONFIG, Type.STRING, OverflowPolicy.DROP_NEWEST.name(),
                    CaseInsensitiveValidString.in(OverflowPolicy.fallbackOptions()), Importance.MEDIUM, BLOCK_FALLBACK_DOC)
            .define(SINK_HTTP_URL_CONFIG, Type.STRING, "", LogsKeys::ensureHttpUrl, Importance.MEDIUM, SINK_HTTP_URL_DOC)
            .define(SINK_MAX_IN_FLIGHT_CONFIG, Type.INT, 8, Range.between(1, 1_024), Importance.MEDIUM,
                    SINK_MAX_IN_FLIGHT_DOC);
    }

    /** Empty, or an absolute http(s) URL (shared with the orders authorization URL). */
    static void ensureHttpUrl(String name, Object value) {
        String v = value == null ? "" : value.toString().trim();
        if (v.isEmpty()) {
            return;
        }
        try {
            java.net.URI uri = new java.net.URI(v);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new org.apache.kafka.common.config.ConfigException(name, value, "expected an http:// or https:// URL");
    }

    /**
     * Cross-key rules of the logs keys: the BLOCK wait must end before the consumer is thrown out
     * of the group, and a batch must be able to fill inside the buffer (or SIZE never fires).
     */
    static void check(PipelineConfig config) {
        long blockMs = config.getLong(BLOCK_MAX_MS_CONFIG);
        long pollMs = PolicyKeys.maxPollIntervalMs(config);
        if (blockMs >= pollMs) {
            throw new ConfigError("Invalid value '" + blockMs + "' for configuration '" + BLOCK_MAX_MS_CONFIG
                    + "': the stream thread would wait longer than max.poll.interval.ms (" + pollMs
                    + ") and be removed from the group. Allowed: a value below " + pollMs + ".");
        }
        int batch = config.getInt(BATCH_MAX_RECORDS_CONFIG);
        int buffer = config.getInt(BUFFER_MAX_RECORDS_CONFIG);
        if (batch > buffer) {
            throw new ConfigError("Invalid value '" + batch + "' for configuration '" + BATCH_MAX_RECORDS_CONFIG
                    + "': larger than " + BUFFER_MAX_RECORDS_CONFIG + " (" + buffer
                    + "), so no batch could ever fill. Allowed: at most " + buffer + ".");
        }
    }
}
