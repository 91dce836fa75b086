package dev.pipeline.logs;

import dev.pipeline.schema.FlushReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogLevel;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds the {@link LogBatch} summary of the events one flush took from the buffer. */
final class Batches {
    private static final LogLevel[] LEVELS = LogLevel.values();

    private Batches() {}

    /**
     * @param samples messages of the oldest events, at most {@code logs.batch.sample.size}
     * @param nowMs wall clock of the flush (the batch's windowEnd)
     */
    static LogBatch summarise(Taken taken, List<String> samples, FlushReason reason, long nowMs) {
        Map<String, Long> byLevel = new TreeMap<>();
        long[] counts = taken.countByLevel();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                byLevel.put(i < LEVELS.length ? LEVELS[i].name() : "UNKNOWN", counts[i]);
            }
        }
        return LogBatch.newBuilder()
                .setService(taken.service())
                .setWindowStart(Instant.ofEpochMilli(taken.windowStartMs()))
                .setWindowEnd(Instant.ofEpochMilli(Math.max(taken.windowStartMs(), nowMs)))
                .setCount(taken.count())
                .setCountByLevel(byLevel)
                .setFirstTimestamp(Instant.ofEpochMilli(taken.firstEventTs()))
                .setLastTimestamp(Instant.ofEpochMilli(taken.lastEventTs()))
                .setBytes(taken.eventBytes())
                .setSampleMessages(samples)
                .setFlushReason(reason)
                .build();
    }
}
