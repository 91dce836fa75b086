package dev.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;
    private final FakeClock clock = new FakeClock();

    @Test
    void shouldPaceToConfiguredRateOverManyAcquires() throws Exception {
        TokenBucket bucket = new TokenBucket(1_000, 10, clock);
        for (int i = 0; i < 10_000; i++) {
            bucket.acquire(1);
        }
        // the first 10 come from the full bucket, the other 9,990 at 1 ms each
        assertThat(clock.sleptNanos()).isCloseTo(9_990L * 1_000_000, within(1_000L));
    }

    @Test
    void shouldNotWaitWhileBurstLasts() throws Exception {
        TokenBucket bucket = new TokenBucket(100, 50, clock);
        for (int i = 0; i < 50; i++) {
            bucket.acquire(1);
        }
        assertThat(clock.sleeps()).isZero();
        bucket.acquire(1);
        assertThat(clock.sleptNanos()).isEqualTo(SECOND / 100);
    }

    @Test
    void shouldRefillOnlyUpToBurstAfterIdle() throws Exception {
        TokenBucket bucket = new TokenBucket(100, 5, clock);
        for (int i = 0; i < 5; i++) {
            bucket.acquire(1);
        }
        clock.advance(60 * SECOND); // a long stall: 6,000 tokens' worth of time
        for (int i = 0; i < 5; i++) {
            assertThat(bucket.reserve(1)).isZero();
        }
        assertThat(bucket.reserve(1)).as("the 6th after the stall waits: lost time is not made up").isPositive();
    }

    @Test
    void shouldQueueReservationsSoConcurrentCallersShareTheRate() {
        TokenBucket bucket = new TokenBucket(10, 1, clock);
        assertThat(bucket.reserve(1)).isZero();
        // two callers arrive at the same instant: the second waits twice as long as the first
        assertThat(bucket.reserve(1)).isEqualTo(SECOND / 10);
        assertThat(bucket.reserve(1)).isEqualTo(2 * SECOND / 10);
    }

    @Test
    void shouldNeverWaitWhenUnlimited() throws Exception {
        TokenBucket bucket = TokenBucket.forRate(0, clock);
        for (int i = 0; i < 100_000; i++) {
            bucket.acquire(1);
        }
        assertThat(bucket.unlimited()).isTrue();
        assertThat(clock.sleeps()).isZero();
    }

    @Test
    void shouldUseSmallBurstForSmoothPacing() throws Exception {
        TokenBucket bucket = TokenBucket.forRate(20_000, clock);
        for (int i = 0; i < 20_000; i++) {
            bucket.acquire(1);
        }
        // burst = 1/20 s worth: 20,000 records take 0.95 s of (fake) time
        assertThat(clock.sleptNanos()).isCloseTo(950_000_000L, within(100_000L));
    }

    @Test
    void shouldRejectNonsense() {
        assertThatThrownBy(() -> new TokenBucket(Double.NaN, 1, clock)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(10, 0.5, clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
