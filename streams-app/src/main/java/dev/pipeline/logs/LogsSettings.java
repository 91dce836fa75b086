package dev.pipeline.logs;

import dev.pipeline.config.LogsKeys;
import dev.pipeline.config.OverflowPolicy;
import dev.pipeline.config.PipelineConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** The logs keys, parsed once (see {@link LogsKeys} for what each one means). */
public record LogsSettings(
        String applicationId,
        String processingGuarantee,
        long commitIntervalMs,
        int bufferMaxRecords,
        long bufferMaxBytes,
        int batchMaxRecords,
        int sampleSize,
        Duration flushInterval,
        long flushMaxAgeMs,
        int maxBatchesPerTick,
        long lateGraceMs,
        OverflowPolicy policy,
        long blockMaxMs,
        OverflowPolicy fallback,
        Optional<URI> httpUrl,
        int maxInFlight) {

    public LogsSettings {
        if (!fallback.isFallback()) {
            throw new IllegalArgumentException("fallback must not wait for room itself: " + fallback);
        }
    }

    public static LogsSettings from(PipelineConfig c) {
        String url = c.getString(LogsKeys.SINK_HTTP_URL_CONFIG).trim();
        return new LogsSettings(
                c.getString(LogsKeys.APPLICATION_ID_CONFIG),
                c.getString(LogsKeys.PROCESSING_GUARANTEE_CONFIG).toLowerCase(Locale.ROOT),
                c.getLong(LogsKeys.COMMIT_INTERVAL_MS_CONFIG),
                c.getInt(LogsKeys.BUFFER_MAX_RECORDS_CONFIG),
                c.getLong(LogsKeys.BUFFER_MAX_BYTES_CONFIG),
                c.getInt(LogsKeys.BATCH_MAX_RECORDS_CONFIG),
                c.getInt(LogsKeys.BATCH_SAMPLE_SIZE_CONFIG),
                Duration.ofMillis(c.getLong(LogsKeys.FLUSH_INTERVAL_MS_CONFIG)),
                c.getLong(LogsKeys.FLUSH_MAX_AGE_MS_CONFIG),
                c.getInt(LogsKeys.FLUSH_MAX_BATCHES_PER_TICK_CONFIG),
                c.getLong(LogsKeys.LATE_GRACE_MS_CONFIG),
                OverflowPolicy.parse(c.getString(LogsKeys.BUFFER_OVERFLOW_POLICY_CONFIG)),
                c.getLong(LogsKeys.BLOCK_MAX_MS_CONFIG),
                OverflowPolicy.parse(c.getString(LogsKeys.BLOCK_FALLBACK_CONFIG)),
                url.isEmpty() ? Optional.empty() : Optional.of(URI.create(url)),
                c.getInt(LogsKeys.SINK_MAX_IN_FLIGHT_CONFIG));
    }
}
