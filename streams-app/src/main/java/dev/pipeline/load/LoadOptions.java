package dev.pipeline.load;

/**
 * What one generator run does.
 *
 * @param count         valid fresh events to send; duplicates and malformed records come on top
 * @param ratePerSecond records/s over everything sent (fresh, duplicates, malformed); 0 = unlimited
 * @param duplicates    after each fresh event, the chance of re-sending an already-sent one (same bytes, same eventId)
 * @param malformed     after each fresh event, the chance of sending one malformed record
 * @param keys          services (logs) or orders in flight (orders)
 * @param maxInFlight   most records sent but not yet acknowledged; the generator waits beyond it
 * @param seed          the content seed: same seed, same events
 */
public record LoadOptions(long count, double ratePerSecond, double duplicates, double malformed, int keys,
        int maxInFlight, long seed) {

    public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;

    public LoadOptions {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be >= 0 (0 = unlimited), got " + ratePerSecond);
        }
        requireFraction("duplicates", duplicates);
        requireFraction("malformed", malformed);
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be >= 1, got " + keys);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in flight must be >= 1, got " + maxInFlight);
        }
    }

    private static void requireFraction(String name, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " must be a fraction in [0, 1], got " + v);
        }
    }
}
