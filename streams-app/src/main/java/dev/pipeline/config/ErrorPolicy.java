package dev.pipeline.config;

import java.util.Locale;

/**
 * What Kafka Streams does with a record whose deserialization, processing or production failed
 * ({@code errors.deserialization.policy}, {@code errors.processing.policy},
 * {@code errors.production.policy}). Applied by the handlers of {@code policy.ExceptionHandling}.
 */
public enum ErrorPolicy {
    /**
     * Write the original record to the dead-letter topic with its reason and continue with the
     * next record. No data is lost: the record is counted and can be replayed from the DLQ.
     */
    CONTINUE_TO_DLQ,
    /**
     * Write the original record to the dead-letter topic and stop the stream thread, so the
     * failure cannot go unnoticed. Under exactly-once the DLQ write is aborted with the
     * transaction; after a restart the same record fails again until it is fixed or the policy
     * changes.
     */
    FAIL;

    public static ErrorPolicy parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
