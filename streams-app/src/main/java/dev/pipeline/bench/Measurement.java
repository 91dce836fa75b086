package dev.pipeline.bench;

import java.util.Map;

/**
 * One measured run: {@code records} handled in {@code nanos}, plus scenario-specific figures
 * (latency percentiles, buffer peaks) under stable names.
 */
public record Measurement(long records, long nanos, Map<String, Double> extras) {
    public Measurement {
        extras = Map.copyOf(extras);
    }

    public Measurement(long records, long nanos) {
        this(records, nanos, Map.of());
    }

    public double recordsPerSecond() {
        return nanos <= 0 ? 0 : records * 1e9 / nanos;
    }
}
