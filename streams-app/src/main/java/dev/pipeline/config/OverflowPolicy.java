package dev.pipeline.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the buffer does with a record that does not fit ({@code logs.buffer.overflow.policy}).
 * Applied in one place: {@code logs.BufferProcessor}'s {@code makeRoom}. Each constant says whether
 * data is lost; every loss is counted by reason {@code overflow} and written to the DLQ.
 */
public enum OverflowPolicy {
    /**
     * Backpressure: the stream thread stops taking records and waits for flushing to make room —
     * due services (full, or aged past {@code logs.flush.max.age.ms}) are flushed as soon as the
     * sink stage accepts batches, sink results are drained, nothing is emitted early. Lag grows
     * meanwhile. After {@code logs.block.max.ms} without room, {@code logs.block.fallback}
     * applies. Nothing is lost while waiting.
     */
    BLOCK(false),
    /**
     * Flush the service holding the oldest buffered event now (reason OVERFLOW), as often as needed
     * for the record to fit. Nothing is lost. Needs the sink stage to accept a batch: with a full
     * HTTP window it waits like {@link #BLOCK}, then {@code logs.block.fallback} applies.
     */
    EMIT_EARLY(false),
    /** Drop the incoming record (reason overflow, to the DLQ). Loses the newest data. */
    DROP_NEWEST(true),
    /** Evict the oldest buffered events until the record fits (reason overflow, to the DLQ). Loses the oldest data. */
    DROP_OLDEST(true),
    /**
     * Stop the application: throws {@code logs.BufferFullException} from the processor, which the
     * uncaught-exception handler turns into a shutdown. Nothing is lost (the record is not
     * committed), but the pipeline stops until the caps or the policy are changed.
     */
    FAIL(true);

    private final boolean fallback;

    OverflowPolicy(boolean fallback) {
        this.fallback = fallback;
    }

    /**
     * Whether this policy may be {@code logs.block.fallback}: the fallback applies once a wait for
     * room has timed out, so it must not wait itself.
     */
    public boolean isFallback() {
        return fallback;
    }

    /** The allowed values of {@code logs.block.fallback}, in declaration order. */
    public static String[] fallbackOptions() {
        return Arrays.stream(values()).filter(OverflowPolicy::isFallback).map(Enum::name).toArray(String[]::new);
    }

    public static OverflowPolicy parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
