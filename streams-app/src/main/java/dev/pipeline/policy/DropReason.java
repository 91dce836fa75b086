package dev.pipeline.policy;

import java.util.Locale;

/**
 * Why a record did not come out of a pipeline. The lower-case {@link #label()} is the
 * {@code reason} metric label and the {@code pipeline.error.reason} DLQ header value.
 * Every drop is counted; {@link #toDeadLetterTopic()} says whether the record is also written
 * to the dead-letter topic (so it can be inspected and replayed).
 */
public enum DropReason {
    /** Bytes that are not a valid record of the topic's schema. To the DLQ. */
    DESERIALIZATION(true),
    /** The record failed validation or processing threw. To the DLQ. */
    PROCESSING(true),
    /** Writing an output record failed permanently. To the DLQ. */
    PRODUCTION(true),
    /** Older than stream time minus the grace period. To the DLQ. */
    LATE(true),
    /** Buffer full and the overflow policy dropped it (newest or oldest). To the DLQ. */
    OVERFLOW(true),
    /** An external call kept failing until the retry caps ran out. To the DLQ. */
    RETRIES_EXHAUSTED(true),
    /** The circuit breaker was open, so the external call was not attempted. To the DLQ. */
    CIRCUIT_OPEN(true),
    /** Same event id already applied: counted only, never sent to the DLQ (nothing to replay). */
    DUPLICATE(false),
    /** The event is not allowed in the order's current state. To the DLQ. */
    INVALID_TRANSITION(true),
    /** The event arrived for an order that already expired. To the DLQ. */
    EXPIRED(true),
    /** The external service refused the event (orders: payment authorization answered 4xx). To the DLQ. */
    REJECTED(true);

    private final boolean toDeadLetterTopic;

    DropReason(boolean toDeadLetterTopic) {
        this.toDeadLetterTopic = toDeadLetterTopic;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean toDeadLetterTopic() {
        return toDeadLetterTopic;
    }
}
