package dev.pipeline.config;

import java.util.Locale;

/** What a {@code policy.GuardedCall} tells its caller to do when the breaker refuses a call ({@code external.circuit.open.policy}). */
public enum CircuitOpenPolicy {
    /**
     * Drop the record as {@code policy.DropReason.CIRCUIT_OPEN} to the dead-letter topic: the pipeline
     * keeps flowing while the dependency is down; the records can be replayed from the DLQ.
     */
    DEAD_LETTER,
    /**
     * Return {@code policy.CallOutcome.Status.HELD}: the caller keeps the record (its buffer) and tries
     * again later. Nothing is dropped while the buffer has room; once it is full the buffer's
     * overflow policy decides (and a dropped record is counted as {@code overflow}).
     */
    HOLD;

    public static CircuitOpenPolicy parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
