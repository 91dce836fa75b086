package dev.pipeline.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * Thrown by a processor to reject the record it is processing with a given reason. Kafka
 * Streams hands it to the processing exception handler of {@link ExceptionHandling}, which
 * writes the record's original bytes to the dead-letter topic under that reason. Cheap to throw
 * (no stack trace): a flood of invalid input must not cost a stack walk per record.
 *
 * <p>Records rejected this way never reach the task's {@link Ledger}: count {@code in} only
 * once a record can no longer be rejected.
 */
public class RecordRejectedException extends RuntimeException {
    private final DropReason reason;

    public RecordRejectedException(DropReason reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public DropReason reason() {
        return reason;
    }

    /** The rejection in {@code t}'s cause chain, if any (Streams may wrap what a processor throws). */
    public static Optional<RecordRejectedException> find(Throwable t) {
        Throwable c = t;
        for (int depth = 0; c != null && depth < 16; depth++, c = c.getCause()) {
            if (c instanceof RecordRejectedException r) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
