package dev.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.config.CircuitOpenPolicy;
import dev.pipeline.config.ConfigError;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.PolicyKeys;
import dev.pipeline.observe.MetricNames;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest extends GuardedCallTests {

    /** Breaker that does not open within these tests; no jitter unless asked, so waits are exact. */
    private static ExternalCallPolicy policy(int attempts, double jitter, long maxElapsedMs, long timeoutMs) {
        return new ExternalCallPolicy(timeoutMs, 2, attempts, 100, 2.0, 1_000, jitter, maxElapsedMs, 100, 100, 100,
                10_000, 1, CircuitOpenPolicy.DEAD_LETTER);
    }

    @Test
    void shouldRetryAFlakyCallWithGrowingWaitsUntilItSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        CallOutcome<String> out = guard(policy(5, 0.0, 60_000, 1_000), in -> {
            if (calls.incrementAndGet() <= 3) {
                throw new IOException("flaky " + calls.get());
            }
            return "sent " + in;
        }).call("batch-1");

        assertThat(out.status()).isEqualTo(CallOutcome.Status.SUCCESS);
        assertThat(out.value()).isEqualTo("sent batch-1");
        assertThat(out.attempts()).isEqualTo(4);
        assertThat(time.sleeps).containsExactly(100L, 200L, 400L);
        assertThat(retries()).isEqualTo(3.0);
        assertThat(out.dropReason()).isEmpty();
    }

    @Test
    void shouldKeepJitteredWaitsWithinTheirBoundsAndCappedAtTheMaximum() {
        guard(policy(8, 0.5, 600_000, 1_000), in -> {
            throw new IOException("down");
        }).call("x");

        long[] nominal = {100, 200, 400, 800, 1_000, 1_000, 1_000};
        assertThat(time.sleeps).hasSize(nominal.length);
        for (int i = 0; i < nominal.length; i++) {
            assertThat(time.sleeps.get(i)).isBetween((long) (nominal[i] * 0.5), (long) (nominal[i] * 1.5));
        }
    }

    @Test
    void shouldGiveUpAsRetriesExhaustedAfterTheAttemptCap() {
        AtomicInteger calls = new AtomicInteger();
        CallOutcome<String> out = guard(policy(4, 0.0, 60_000, 1_000), in -> {
            calls.incrementAndGet();
            throw new IOException("permanently down");
        }).call("x");

        assertThat(out.status()).isEqualTo(CallOutcome.Status.RETRIES_EXHAUSTED);
        assertThat(out.dropReason()).contains(DropReason.RETRIES_EXHAUSTED);
        assertThat(out.attempts()).isEqualTo(4);
        assertThat(calls.get()).isEqualTo(4);
        assertThat(out.failure()).isInstanceOf(IOException.class);
        assertThat(retries()).isEqualTo(3.0);
    }

    @Test
    void shouldGiveUpBeforeAnAttemptThatCouldCrossTheElapsedCap() {
        // fake time only moves by the waits 100, 200, 400, 800; with a 1000 ms timeout and a 2000 ms cap,
        // attempt 4 starts at 700 (may end at 1700, allowed), attempt 5 would start at 1500 (may end at 2500): not started
        CallOutcome<String> out = guard(policy(50, 0.0, 2_000, 1_000), in -> {
            throw new IOException("down");
        }).call("x");

        assertThat(out.status()).isEqualTo(CallOutcome.Status.RETRIES_EXHAUSTED);
        assertThat(out.attempts()).isEqualTo(4);
        assertThat(out.elapsedMs()).isLessThanOrEqualTo(2_000);
        assertThat(time.sleeps).containsExactly(100L, 200L, 400L);
    }

    @Test
    void shouldCountAnAttemptPastItsTimeoutAsAFailureAndNotBlockLongerThanTheBound() {
        CountDownLatch never = new CountDownLatch(1);
        long t0 = System.nanoTime();
        // the call bounds its own attempt, as the sink's HttpClient does with its request timeout
        CallOutcome<String> out = guard(policy(2, 0.0, 1_000, 50), in -> {
            if (!never.await(50, TimeUnit.MILLISECONDS)) {
                throw new GuardedCall.CallTimeoutException(50, null);
            }
            return "unreachable";
        }).call("x");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertThat(out.status()).isEqualTo(CallOutcome.Status.RETRIES_EXHAUSTED);
        assertThat(out.attempts()).isEqualTo(2);
        assertThat(out.failure()).isInstanceOf(GuardedCall.CallTimeoutException.class);
        assertThat(tookMs).isLessThan(1_000);
    }

    @Test
    void shouldNotRetryAPermanentFailure() {
        CallOutcome<String> out = guard(policy(5, 0.0, 60_000, 1_000), in -> {
            throw new GuardedCall.PermanentFailure("HTTP 400", null);
        }).call("x");

        assertThat(out.status()).isEqualTo(CallOutcome.Status.REJECTED);
        assertThat(out.dropReason()).contains(DropReason.PROCESSING);
        assertThat(out.attempts()).isEqualTo(1);
        assertThat(time.sleeps).isEmpty();
    }

    @Test
    void shouldRefuseAConfigWhoseWorstCaseRetryTimeExceedsMaxPollInterval() {
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(
                "max.poll.interval.ms", "20000",
                PolicyKeys.EXTERNAL_RETRY_MAX_ATTEMPTS_CONFIG, "20",
                PolicyKeys.EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG, "25000")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("max.poll.interval.ms=20000")
                .hasMessageContaining(PolicyKeys.EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG + "'=25000")
                .hasMessageContaining(PolicyKeys.EXTERNAL_RETRY_MAX_ATTEMPTS_CONFIG + "'=20")
                .hasMessageContaining(PolicyKeys.EXTERNAL_CALL_TIMEOUT_MS_CONFIG);
    }

    @Test
    void shouldRefuseAConsumerPrefixedMaxPollIntervalBelowTheWorstCase() {
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of("main.consumer.max.poll.interval.ms", "10000")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("max.poll.interval.ms=10000");
    }

    @Test
    void shouldRefuseACallTimeoutLongerThanTheElapsedCap() {
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(
                PolicyKeys.EXTERNAL_CALL_TIMEOUT_MS_CONFIG, "5000", PolicyKeys.EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG, "4000")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("'" + PolicyKeys.EXTERNAL_CALL_TIMEOUT_MS_CONFIG + "'=5000");
    }

    @Test
    void shouldAcceptTheDefaultsAndBoundTheirWorstCaseBelowMaxPollInterval() {
        PipelineConfig config = PipelineConfig.defaults();
        ExternalCallPolicy p = ExternalCallPolicy.from(config);
        // 5 x 2000 + (100 + 200 + 400 + 800) x 1.5 = 12250, below the 30 s cap
        assertThat(p.worstCaseMs()).isEqualTo(12_250);
        assertThat(p.worstCaseMs()).isLessThan(PolicyKeys.maxPollIntervalMs(config));
    }

    private double retries() {
        return metrics.registry().find(MetricNames.RETRIES).tag(MetricNames.TAG_PIPELINE, "logs").counter().count();
    }
}
