package dev.pipeline.policy;

import dev.pipeline.config.CircuitOpenPolicy;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.PolicyKeys;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.time.Duration;

/**
 * How a {@link GuardedCall} retries and when its breaker opens: the {@code external.*} keys as
 * one immutable value. {@link #worstCaseMs()} is the longest a call can block its caller; the
 * config is refused at start when it is not below {@code max.poll.interval.ms}.
 */
public record ExternalCallPolicy(
        long callTimeoutMs,
        int maxConcurrency,
        int maxAttempts,
        long initialBackoffMs,
        double backoffMultiplier,
        long maxBackoffMs,
        double jitter,
        long maxElapsedMs,
        int failureRateThresholdPercent,
        int windowCalls,
        int minimumCalls,
        long openWaitMs,
        int halfOpenCalls,
        CircuitOpenPolicy whenOpen) {

    public static ExternalCallPolicy from(PipelineConfig c) {
        return new ExternalCallPolicy(
                c.getInt(PolicyKeys.EXTERNAL_CALL_TIMEOUT_MS_CONFIG),
                c.getInt(PolicyKeys.EXTERNAL_CALL_MAX_CONCURRENCY_CONFIG),
                c.getInt(PolicyKeys.EXTERNAL_RETRY_MAX_ATTEMPTS_CONFIG),
                c.getInt(PolicyKeys.EXTERNAL_RETRY_INITIAL_BACKOFF_MS_CONFIG),
                c.getDouble(PolicyKeys.EXTERNAL_RETRY_BACKOFF_MULTIPLIER_CONFIG),
                c.getInt(PolicyKeys.EXTERNAL_RETRY_MAX_BACKOFF_MS_CONFIG),
                c.getDouble(PolicyKeys.EXTERNAL_RETRY_JITTER_CONFIG),
                c.getInt(PolicyKeys.EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG),
                c.getInt(PolicyKeys.EXTERNAL_CIRCUIT_FAILURE_RATE_THRESHOLD_CONFIG),
                c.getInt(PolicyKeys.EXTERNAL_CIRCUIT_WINDOW_CALLS_CONFIG),
                c.getInt(PolicyKeys.EXTERNAL_CIRCUIT_MINIMUM_CALLS_CONFIG),
                c.getInt(PolicyKeys.EXTERNAL_CIRCUIT_OPEN_WAIT_MS_CONFIG),
                c.getInt(PolicyKeys.EXTERNAL_CIRCUIT_HALF_OPEN_CALLS_CONFIG),
                CircuitOpenPolicy.parse(c.getString(PolicyKeys.EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG)));
    }

    /** The longest one guarded call can block its caller, in ms (see {@link PolicyKeys#retryWorstCaseMs}). */
    public long worstCaseMs() {
        return PolicyKeys.retryWorstCaseMs(maxAttempts, callTimeoutMs, initialBackoffMs, backoffMultiplier, maxBackoffMs,
                jitter, maxElapsedMs);
    }

    /** Exponential backoff with jitter: wait n is min(initial x multiplier^(n-1), max), then +-jitter. */
    <T> RetryConfig retryConfig() {
        IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(initialBackoffMs, backoffMultiplier,
                jitter, maxBackoffMs);
        return RetryConfig.<T>custom()
                .maxAttempts(maxAttempts)
                .intervalBiFunction(IntervalBiFunction.ofIntervalFunction(backoff))
                .retryOnException(e -> !(e instanceof GuardedCall.PermanentFailure))
                .failAfterMaxAttempts(false)
                .build();
    }

    /**
     * Count-based window; no automatic open-to-half-open transition (that needs a scheduler
     * thread): the first call after the wait moves the breaker to half-open.
     */
    CircuitBreakerConfig circuitBreakerConfig(Clock clock) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(windowCalls)
                .minimumNumberOfCalls(minimumCalls)
                .failureRateThreshold(failureRateThresholdPercent)
                .waitDurationInOpenState(Duration.ofMillis(openWaitMs))
                .permittedNumberOfCallsInHalfOpenState(halfOpenCalls)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .ignoreException(e -> e instanceof GuardedCall.PermanentFailure)
                .writableStackTraceEnabled(false)
                .clock(clock)
                .build();
    }
}
