package dev.pipeline.observe;

import dev.pipeline.config.ObserveKeys;
import dev.pipeline.config.PipelineConfig;
import java.time.Duration;

/** How the lag monitor samples and judges; see {@link ObserveKeys} for each setting's meaning. */
public record LagSettings(Duration pollInterval, int windowSize, Duration stopAfter, Duration adminTimeout,
                          int maxTimestampFetches) {
    public LagSettings {
        if (windowSize < 2) {
            throw new IllegalArgumentException("lag window needs at least 2 samples, got " + windowSize);
        }
    }

    public static LagSettings from(PipelineConfig config) {
        return new LagSettings(
                Duration.ofMillis(config.getInt(ObserveKeys.LAG_POLL_INTERVAL_MS_CONFIG)),
                config.getInt(ObserveKeys.LAG_WINDOW_SIZE_CONFIG),
                Duration.ofMillis(config.getInt(ObserveKeys.LAG_STOP_AFTER_MS_CONFIG)),
                Duration.ofMillis(config.getInt(ObserveKeys.LAG_ADMIN_TIMEOUT_MS_CONFIG)),
                config.getInt(ObserveKeys.LAG_MAX_TIMESTAMP_FETCHES_CONFIG));
    }

    public static LagSettings defaults() {
        return from(PipelineConfig.defaults());
    }
}
