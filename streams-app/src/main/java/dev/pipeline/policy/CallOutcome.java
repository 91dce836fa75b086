package dev.pipeline.policy;

import java.util.Optional;

/**
 * What became of one guarded external call. The caller applies it in one switch: emit on
 * {@code SUCCESS}, keep the record on {@code HELD}, and otherwise drop it with
 * {@link #dropReason()} through its {@link DropRecorder} (with {@link #attempts()} in the DLQ header).
 *
 * @param value the call's result on {@code SUCCESS}, else null
 * @param attempts attempts made (0 when the breaker refused the first one)
 * @param elapsedMs time the call blocked its caller
 * @param failure the last failure, null on {@code SUCCESS}
 */
public record CallOutcome<O>(Status status, O value, int attempts, long elapsedMs, Throwable failure) {

    public enum Status {
        /** The call returned a value. */
        SUCCESS(null),
        /** Every allowed attempt failed, or the next would have crossed the elapsed cap. Drop as {@code retries_exhausted}. */
        RETRIES_EXHAUSTED(DropReason.RETRIES_EXHAUSTED),
        /** The breaker refused the call and the policy is DEAD_LETTER. Drop as {@code circuit_open}. */
        CIRCUIT_OPEN(DropReason.CIRCUIT_OPEN),
        /** The call reported a {@link GuardedCall.PermanentFailure} (retrying cannot help). Drop as {@code processing}. */
        REJECTED(DropReason.PROCESSING),
        /**
         * Not delivered and not dropped: the breaker refused the call under the HOLD policy, or the
         * calling thread was interrupted (shutdown). Keep the record and try again later.
         */
        HELD(null);

        private final DropReason dropReason;

        Status(DropReason dropReason) {
            this.dropReason = dropReason;
        }
    }

    /** The reason to drop the record with; empty for {@code SUCCESS} and {@code HELD}. */
    public Optional<DropReason> dropReason() {
        return Optional.ofNullable(status.dropReason);
    }
}
