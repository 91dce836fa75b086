package dev.pipeline.policy;

import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.PolicyKeys;

/**
 * The input-contract checks every pipeline applies to a decoded record before anything else
 * (see {@code load.BadRecordCorpus} for the bad input they catch). Each failed check throws a
 * {@link RecordRejectedException} with reason {@link DropReason#PROCESSING}, which the
 * processing exception handler sends to the dead-letter topic with the original bytes.
 */
public record InputValidation(int maxStringChars, long maxFutureSkewMs) {

    public static InputValidation from(PipelineConfig config) {
        return new InputValidation(config.getInt(PolicyKeys.VALIDATION_MAX_STRING_CHARS_CONFIG),
                config.getLong(PolicyKeys.VALIDATION_MAX_FUTURE_SKEW_MS_CONFIG));
    }

    /** Key and value present, the key non-empty and equal to the value's own id ({@code service}, {@code orderId}). */
    public void requireKeyed(String key, Object value, String idInValue) {
        if (value == null) {
            throw reject("null value (tombstone) on an input topic");
        }
        if (key == null || key.isEmpty()) {
            throw reject("missing record key");
        }
        if (!key.equals(idInValue)) {
            throw reject("record key '" + shorten(key) + "' differs from the value's id '" + shorten(idInValue) + "'");
        }
    }

    /** A string field that must be present and non-empty, and at most {@link #maxStringChars} long. */
    public void requireText(String field, CharSequence value) {
        if (value == null || value.length() == 0) {
            throw reject("empty " + field);
        }
        requireLength(field, value);
    }

    /** An optional string field: if present, at most {@link #maxStringChars} long. */
    public void requireLength(String field, CharSequence value) {
        if (value != null && value.length() > maxStringChars) {
            throw reject(field + " has " + value.length() + " chars, more than " + maxStringChars);
        }
    }

    /** An event time in {@code [0, now + maxFutureSkewMs]}. */
    public void requireTimestamp(String field, long epochMs, long nowMs) {
        if (epochMs < 0) {
            throw reject(field + " " + epochMs + " is before the epoch");
        }
        if (epochMs > nowMs + maxFutureSkewMs) {
            throw reject(field + " " + epochMs + " is more than " + maxFutureSkewMs + " ms in the future");
        }
    }

    /** Any other rule of the input contract. */
    public void require(boolean holds, String violation) {
        if (!holds) {
            throw reject(violation);
        }
    }

    /** For a caller's own rule whose message should be built only when it fails: {@code throw rules.rejection(...)}. */
    public RecordRejectedException rejection(String why) {
        return reject(why);
    }

    private static RecordRejectedException reject(String why) {
        return new RecordRejectedException(DropReason.PROCESSING, "invalid input: " + why);
    }

    private static String shorten(String s) {
        return s == null ? "null" : s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
