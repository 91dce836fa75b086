package dev.pipeline.logs;

import dev.pipeline.schema.FlushReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogLevel;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds the {@link LogBatch} summary of pending events. */
final class Batches {
    private static final LogLevel[] LEVELS = LogLevel.values();

    private Batches() {}

    /**
     * @param taken the service's events, oldest first (not empty)
     * @param samples messages of the oldest events, at most {@code logs.batch.sample.size}
     * @param nowMs wall clock of the flush (the batch's windowEnd)
     */
    static LogBatch summarise(String service, List<Pending> taken, List<String> samples, FlushReason reason,
            long nowMs) {
        Map<String, Long> byLevel = new TreeMap<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long bytes = 0;
        for (Pending p : taken) {
            byLevel.merge(levelName(p.level()), 1L, Long::sum);
            first = Math.min(first, p.eventTs());
            last = Math.max(last, p.eventTs());
            bytes += p.eventBytes();
        }
        long windowStart = taken.get(0).arrivalMs();
        return LogBatch.newBuilder()
                .setService(service)
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(Math.max(windowStart, nowMs)))
                .setCount(taken.size())
                .setCountByLevel(byLevel)
                .setFirstTimestamp(Instant.ofEpochMilli(first))
                .setLastTimestamp(Instant.ofEpochMilli(last))
                .setBytes(bytes)
                .setSampleMessages(samples)
                .setFlushReason(reason)
                .build();
    }

    /** Output timestamp of a batch: its newest record timestamp (so it never moves stream time back). */
    static long outputTimestamp(List<Pending> taken) {
        long ts = 0;
        for (Pending p : taken) {
            ts = Math.max(ts, p.recordTs());
        }
        return ts;
    }

    private static String levelName(int ordinal) {
        return ordinal >= 0 && ordinal < LEVELS.length ? LEVELS[ordinal].name() : "UNKNOWN";
    }
}
