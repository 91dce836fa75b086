package dev.pipeline.orders;

import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.CircuitOpenPolicy;
import dev.pipeline.config.PolicyKeys;
import dev.pipeline.policy.ExternalCallPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The payment authorization keys ({@code orders.authorization.*}, {@code orders.parking.max.records})
 * plus the shared {@code external.*} guards they run under, read once.
 *
 * @param url null when authorization is off (the key is empty)
 * @param whenOpen what a parked head does while the breaker refuses calls: see {@link #whenOpen(PipelineConfig)}
 * @param fullWaitMs how long the stream thread waits for room in a full lot: see {@link #fullWaitMs(PipelineConfig)}
 */
record AuthorizationSettings(
        URI url,
        int timeoutMs,
        long backoffInitialMs,
        long backoffMaxMs,
        int maxAttempts,
        long maxElapsedMs,
        int maxParkedRecords,
        CircuitOpenPolicy whenOpen,
        long fullWaitMs,
        ExternalCallPolicy external) {

    static AuthorizationSettings from(PipelineConfig c) {
        String url = c.getString(OrdersKeys.AUTHORIZATION_URL_CONFIG).trim();
        return new AuthorizationSettings(
                url.isEmpty() ? null : URI.create(url),
                c.getInt(OrdersKeys.AUTHORIZATION_TIMEOUT_MS_CONFIG),
                c.getLong(OrdersKeys.AUTHORIZATION_BACKOFF_INITIAL_MS_CONFIG),
                c.getLong(OrdersKeys.AUTHORIZATION_BACKOFF_MAX_MS_CONFIG),
                c.getInt(OrdersKeys.AUTHORIZATION_MAX_ATTEMPTS_CONFIG),
                c.getLong(OrdersKeys.AUTHORIZATION_MAX_ELAPSED_MS_CONFIG),
                c.getInt(OrdersKeys.PARKING_MAX_RECORDS_CONFIG),
                whenOpen(c),
                fullWaitMs(c),
                ExternalCallPolicy.from(c));
    }

    /**
     * Backpressure on a full lot: the longest the stream thread waits, in one {@code process()}, for
     * an answer to free room before a new event is dropped as {@code overflow}. One attempt's
     * {@code orders.authorization.timeout.ms}, since a healthy service answers every call in flight
     * within it; capped at a tenth of {@code orders.transaction.timeout.ms} and of
     * {@code max.poll.interval.ms}, so a wait never threatens the open transaction or the group
     * membership. With the defaults: min(2,000, 1,000, 30,000) = 1,000 ms.
     */
    static long fullWaitMs(PipelineConfig c) {
        long timeout = c.getInt(OrdersKeys.AUTHORIZATION_TIMEOUT_MS_CONFIG);
        long txn = c.getInt(OrdersKeys.TRANSACTION_TIMEOUT_MS_CONFIG);
        return Math.max(1, Math.min(timeout, Math.min(txn / 10, PolicyKeys.maxPollIntervalMs(c) / 10)));
    }

    /**
     * {@code external.circuit.open.policy} as the orders pipeline reads it: the key's default,
     * DEAD_LETTER, is the logs sink's (its buffer must keep moving), and it would turn every payment
     * made during an outage into a {@code circuit_open} drop, while the point of parking is that the
     * order waits. So orders park (HOLD) unless the user set the key to DEAD_LETTER explicitly.
     */
    static CircuitOpenPolicy whenOpen(PipelineConfig c) {
        return c.given(PolicyKeys.EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG)
                ? CircuitOpenPolicy.parse(c.getString(PolicyKeys.EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG))
                : CircuitOpenPolicy.HOLD;
    }

    /**
     * Period of the parking punctuator, which handles the answers that arrived and starts the due
     * retries. Short, because while no input flows (a backlog drained, a quiet topic) it is the only
     * thing that handles answers: at the first backoff (200 ms) a task finished at most its call
     * slots per tick, 160 calls/s for 8 slots, whatever the service's speed (the bench's 5 ms
     * authorizer row, 2026-12-02). With input flowing every record handles them too.
     */
    static final Duration TICK = Duration.ofMillis(10);

    boolean enabled() {
        return url != null;
    }

    /** Calls in flight per task at most: the shared concurrency bound (each task has its own workers). */
    int maxInFlight() {
        return external.maxConcurrency();
    }

    boolean deadLetterWhenOpen() {
        return whenOpen == CircuitOpenPolicy.DEAD_LETTER;
    }

    /** Wait after failed attempt {@code attempt} (1-based): exponential, capped, then +-jitter. */
    long backoffMs(int attempt) {
        double base = backoffInitialMs * Math.pow(external.backoffMultiplier(), Math.max(0, attempt - 1));
        long capped = (long) Math.min(base, backoffMaxMs);
        double jitter = external.jitter();
        if (jitter <= 0) {
            return capped;
        }
        double factor = 1 - jitter + 2 * jitter * ThreadLocalRandom.current().nextDouble();
        return Math.max(1, (long) (capped * factor));
    }

    /**
     * The breaker of the {@code external.circuit.*} keys, as {@code ExternalCallPolicy} builds it for
     * the logs sink: count-based, no automatic open-to-half-open transition (no scheduler thread).
     */
    CircuitBreakerConfig breakerConfig() {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(external.windowCalls())
                .minimumNumberOfCalls(external.minimumCalls())
                .failureRateThreshold(external.failureRateThresholdPercent())
                .waitDurationInOpenState(Duration.ofMillis(external.openWaitMs()))
                .permittedNumberOfCallsInHalfOpenState(external.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .build();
    }
}
