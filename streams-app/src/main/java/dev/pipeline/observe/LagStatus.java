package dev.pipeline.observe;

/**
 * Burrow-style health of a consumer's progress on a partition (and, as the worst of its
 * partitions, of a group), judged on a sliding window of samples. Declared from best to worst;
 * the order is the severity order.
 */
public enum LagStatus {
    /** Caught up, or moving and not falling behind; also while the window is still filling. */
    OK,
    /** The committed offset moves, but lag grew in every step of a full window: falling behind. */
    WARN,
    /** Lag > 0 and the committed offset did not move across a full window: stuck consumer. */
    STALL,
    /** Lag > 0 and no commit moved the offset for {@code lag.stop.after.ms}: the consumer is gone. */
    STOP,
    /** The last sample failed (cluster unreachable, timeout, authorisation); values are the last known. */
    ERR;

    public LagStatus worst(LagStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
