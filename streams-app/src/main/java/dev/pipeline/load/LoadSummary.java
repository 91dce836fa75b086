package dev.pipeline.load;

import java.util.Locale;

/**
 * Counts of one generator run at a moment (or at its end). {@code sent} counts every record handed
 * to the producer: fresh events plus {@code duplicates} plus {@code malformed}.
 */
public record LoadSummary(String topic, long sent, long acked, long failed, long duplicates, long malformed,
        double elapsedSeconds, double ackP50Ms, double ackP99Ms, String firstError) {

    /** Records sent per second of elapsed time (the final flush included). */
    public double achievedRate() {
        return elapsedSeconds <= 0 ? 0 : sent / elapsedSeconds;
    }

    public long fresh() {
        return sent - duplicates - malformed;
    }

    public String line() {
        return String.format(Locale.ROOT,
                "%s: sent=%d acked=%d failed=%d duplicates=%d malformed=%d elapsed=%.1fs rate=%.0f rec/s ack p50=%.1fms p99=%.1fms%s",
                topic, sent, acked, failed, duplicates, malformed, elapsedSeconds, achievedRate(), ackP50Ms, ackP99Ms,
                firstError == null ? "" : " first error: " + firstError);
    }
}
