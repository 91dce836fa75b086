package dev.pipeline.policy;

import dev.pipeline.config.CircuitOpenPolicy;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One external call (e.g. the logs HTTP sink) behind a circuit breaker, a bulkhead and retries
 * with exponential backoff and jitter (resilience4j). {@link #call} blocks its caller for at most
 * {@link ExternalCallPolicy#worstCaseMs()} and never throws: it returns a {@link CallOutcome}
 * saying what to do with the record.
 *
 * <p>Attempts run on the caller's thread: there is no pool here. The {@link Call} bounds each
 * attempt itself at {@code external.call.timeout.ms} (the sink's {@code java.net.http.HttpClient}
 * has connect and request timeouts) and reports a timeout as {@link CallTimeoutException}, which
 * counts as a failure. The bulkhead admits {@code external.call.max.concurrency} attempts at once;
 * one more fails at once (a failure, retried like any other). Counts every retry in
 * {@code pipeline_retries_total{pipeline}} and exposes the breaker as
 * {@code pipeline_circuit_state{pipeline}} (0 closed, 1 half-open, 2 open); the gauge belongs to
 * the pipeline's first open guarded call. Thread-safe; {@link #close()} removes that gauge.
 *
 * <p>It does not record drops: the caller does, with the outcome's reason, through its
 * {@link DropRecorder} (which also writes the DLQ record from the stream thread).
 */
public final class GuardedCall<I, O> implements AutoCloseable {
    /** The call being guarded. */
    @FunctionalInterface
    public interface Call<I, O> {
        O call(I input) throws Exception;
    }

    /** Waits between attempts; tests pass a fake that advances a fake clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    /**
     * Thrown by a {@link Call} for a failure retrying cannot fix (e.g. HTTP 400 for this payload):
     * not retried, not held against the breaker, outcome {@code REJECTED}.
     */
    public static class PermanentFailure extends Exception {
        public PermanentFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Thrown by a {@link Call} whose attempt ran past {@code external.call.timeout.ms}. */
    public static final class CallTimeoutException extends Exception {
        public CallTimeoutException(long timeoutMs, Throwable cause) {
            super("external call exceeded its timeout of " + timeoutMs + " ms", cause, false, false);
        }
    }

    private final String pipeline;
    private final ExternalCallPolicy policy;
    private final PipelineMetrics metrics;
    private final Call<I, O> call;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Retry retry;
    private final CircuitBreaker breaker;
    /** The bulkhead: what resilience4j's semaphore bulkhead does with no wait, without its extra module. */
    private final Semaphore permits;
    private final boolean ownsGauge;

    public GuardedCall(String pipeline, ExternalCallPolicy policy, PipelineMetrics metrics, Call<I, O> call) {
        this(pipeline, policy, metrics, call, Clock.systemUTC(), Thread::sleep);
    }

    /** With a clock (breaker wait, elapsed cap) and a sleeper (backoff) that tests control. */
    public GuardedCall(String pipeline, ExternalCallPolicy policy, PipelineMetrics metrics, Call<I, O> call, Clock clock,
            Sleeper sleeper) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.call = Objects.requireNonNull(call, "call");
        this.clock = clock;
        this.sleeper = sleeper;
        this.retry = Retry.of(pipeline + "-external-call", policy.<O>retryConfig());
        this.breaker = CircuitBreaker.of(pipeline + "-external-call", policy.circuitBreakerConfig(clock));
        this.permits = new Semaphore(policy.maxConcurrency());
        this.ownsGauge = metrics.registry().find(MetricNames.CIRCUIT_STATE).tag(MetricNames.TAG_PIPELINE, pipeline)
                .gauge() == null;
        if (ownsGauge) {
            metrics.gauge(MetricNames.CIRCUIT_STATE, pipeline, this::circuitStateCode);
        }
    }

    /** Calls with the guards on; blocks for at most the policy's worst case; never throws. */
    public CallOutcome<O> call(I input) {
        long start = clock.millis();
        Retry.AsyncContext<O> retries = retry.asyncContext();
        int attempts = 0;
        Throwable last = null;
        while (true) {
            if (!breaker.tryAcquirePermission()) {
                return outcome(policy.whenOpen() == CircuitOpenPolicy.HOLD ? CallOutcome.Status.HELD
                        : CallOutcome.Status.CIRCUIT_OPEN, null, attempts, start, last);
            }
            attempts++;
            if (attempts > 1) {
                metrics.retries(pipeline).increment();
            }
            long t0 = System.nanoTime();
            try {
                O value = attempt(input);
                breaker.onSuccess(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                retries.onComplete();
                return outcome(CallOutcome.Status.SUCCESS, value, attempts, start, null);
            } catch (InterruptedException e) {
                breaker.releasePermission();
                Thread.currentThread().interrupt();
                return outcome(CallOutcome.Status.HELD, null, attempts, start, e);
            } catch (PermanentFailure e) {
                breaker.onError(System.nanoTime() - t0, TimeUnit.NANOSECONDS, e);
                return outcome(CallOutcome.Status.REJECTED, null, attempts, start, e);
            } catch (Exception e) {
                breaker.onError(System.nanoTime() - t0, TimeUnit.NANOSECONDS, e);
                last = e;
                long wait = retries.onError(e);
                long elapsed = clock.millis() - start;
                // an attempt that could not finish within the elapsed cap is not started
                if (wait < 0 || elapsed + wait + policy.callTimeoutMs() > policy.maxElapsedMs()) {
                    return outcome(CallOutcome.Status.RETRIES_EXHAUSTED, null, attempts, start, last);
                }
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return outcome(CallOutcome.Status.HELD, null, attempts, start, ie);
                }
            }
        }
    }

    /** One attempt on this thread, if the bulkhead has room. */
    private O attempt(I input) throws Exception {
        if (!permits.tryAcquire()) {
            throw new RejectedExecutionException("all " + policy.maxConcurrency() + " external call permits are in use");
        }
        try {
            return call.call(input);
        } finally {
            permits.release();
        }
    }

    private CallOutcome<O> outcome(CallOutcome.Status status, O value, int attempts, long start, Throwable failure) {
        return new CallOutcome<>(status, value, attempts, Math.max(0, clock.millis() - start), failure);
    }

    public CircuitBreaker.State circuitState() {
        return breaker.getState();
    }

    /** The {@code pipeline_circuit_state} value: 0 closed, 1 half-open, 2 open (forced open too). */
    public int circuitStateCode() {
        return switch (breaker.getState()) {
            case CLOSED, DISABLED, METRICS_ONLY -> 0;
            case HALF_OPEN -> 1;
            case OPEN, FORCED_OPEN -> 2;
        };
    }

    public ExternalCallPolicy policy() {
        return policy;
    }

    /** Removes the gauge this call registered; attempts in flight belong to their callers' threads. */
    @Override
    public void close() {
        if (ownsGauge) {
            var gauge = metrics.registry().find(MetricNames.CIRCUIT_STATE).tag(MetricNames.TAG_PIPELINE, pipeline).gauge();
            if (gauge != null) {
                metrics.registry().remove(gauge);
            }
        }
    }
}
