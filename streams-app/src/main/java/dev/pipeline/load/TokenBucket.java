package dev.pipeline.load;

/**
 * Paces the generator: tokens accrue at {@code ratePerSecond} up to {@code burst}, and each record
 * takes one. A caller that finds the bucket short reserves its token anyway (the balance goes
 * negative) and sleeps until that token has accrued, so concurrent callers queue fairly and the
 * long-run rate never exceeds the configured one. After a stall (GC pause, slow broker) at most
 * {@code burst} records go out at full speed: lost time is not made up with a flood.
 */
public final class TokenBucket {
    private final double nanosPerToken;
    private final double burst;
    private final LoadClock clock;
    private double tokens;
    private long lastRefillNanos;

    /**
     * @param ratePerSecond tokens per second; 0 or less = unlimited (never waits)
     * @param burst         most tokens the bucket holds (at least 1); it starts full
     */
    public TokenBucket(double ratePerSecond, double burst, LoadClock clock) {
        if (Double.isNaN(ratePerSecond) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a finite number, got " + ratePerSecond);
        }
        if (!(burst >= 1)) {
            throw new IllegalArgumentException("burst must be at least 1, got " + burst);
        }
        this.nanosPerToken = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
        this.burst = burst;
        this.clock = clock;
        this.tokens = burst;
        this.lastRefillNanos = clock.nanoTime();
    }

    /** A bucket with a burst of 1/20 s worth of tokens (at least 1): smooth pacing at any rate. */
    public static TokenBucket forRate(double ratePerSecond, LoadClock clock) {
        return new TokenBucket(ratePerSecond, Math.max(1, ratePerSecond / 20), clock);
    }

    public boolean unlimited() {
        return nanosPerToken == 0;
    }

    /** Takes {@code n} tokens now and returns how long the caller must wait before using them (0 = at once). */
    public synchronized long reserve(int n) {
        if (unlimited()) {
            return 0;
        }
        long now = clock.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastRefillNanos) / nanosPerToken);
        lastRefillNanos = now;
        tokens -= n;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * nanosPerToken);
    }

    /** Takes {@code n} tokens, sleeping until they have accrued. */
    public void acquire(int n) throws InterruptedException {
        long wait = reserve(n);
        if (wait > 0) {
            clock.sleepNanos(wait);
        }
    }
}
