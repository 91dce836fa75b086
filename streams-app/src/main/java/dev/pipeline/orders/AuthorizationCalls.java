package dev.pipeline.orders;

import dev.pipeline.orders.Authorizer.Answer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One task's authorization calls: at most {@code maxInFlight} at a time, each behind the
 * pipeline's circuit breaker, timed in {@code pipeline_external_call_seconds}. Answers come back
 * on whatever thread completes the future and wait in a bounded queue (as long as the in-flight
 * bound, so an offer never fails) until the stream thread {@link #poll}s them: only the stream
 * thread touches stores, forwards or dead-letters ({@code ProcessorContext} is not thread-safe).
 */
final class AuthorizationCalls implements AutoCloseable {
    /** What the stream thread receives: the answer for one parked head event. */
    record Result(String orderId, String eventId, Answer answer) {}

    enum Start {
        STARTED,
        /** {@code maxInFlight} calls are out: try again when an answer frees a slot. */
        BUSY,
        /** The breaker refused the call: nothing was sent. */
        CIRCUIT_OPEN
    }

    private final Authorizer authorizer;
    private final CircuitBreaker breaker;
    private final Timer latency;
    private final int maxInFlight;
    private final BlockingQueue<Result> results;
    /** Stream thread only: started minus polled. */
    private int inFlight;

    AuthorizationCalls(Authorizer authorizer, CircuitBreaker breaker, Timer latency, int maxInFlight) {
        this.authorizer = authorizer;
        this.breaker = breaker;
        this.latency = latency;
        this.maxInFlight = maxInFlight;
        this.results = new ArrayBlockingQueue<>(maxInFlight);
    }

    /** Stream thread: starts one attempt for the parked head {@code request} of {@code orderId}. */
    Start start(String orderId, Authorizer.Request request) {
        if (inFlight >= maxInFlight) {
            return Start.BUSY;
        }
        if (!breaker.tryAcquirePermission()) {
            return Start.CIRCUIT_OPEN;
        }
        inFlight++;
        long t0 = System.nanoTime();
        authorizer.authorize(request).whenComplete((answer, failure) -> {
            long took = System.nanoTime() - t0;
            latency.record(took, TimeUnit.NANOSECONDS);
            Answer a = failure != null ? Answer.retryable(failure.toString())
                    : answer == null ? Answer.retryable("no answer") : answer;
            if (a.verdict() == Authorizer.Verdict.RETRYABLE) {
                breaker.onError(took, TimeUnit.NANOSECONDS, new RuntimeException(a.detail()));
            } else {
                breaker.onSuccess(took, TimeUnit.NANOSECONDS); // a refusal is the service working
            }
            // cannot fail: at most maxInFlight results exist before the stream thread polls
            results.offer(new Result(orderId, request.eventId(), a));
        });
        return Start.STARTED;
    }

    /** Stream thread: the next answer, or null. */
    Result poll() {
        return poll(0);
    }

    /** Stream thread: the next answer, waiting for it at most {@code waitNanos}; null if none came (or interrupted). */
    Result poll(long waitNanos) {
        Result r = results.poll();
        if (r == null && waitNanos > 0) {
            try {
                r = results.poll(waitNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (r != null) {
            inFlight--;
        }
        return r;
    }

    int inFlight() {
        return inFlight;
    }

    @Override
    public void close() {
        authorizer.close();
        results.clear();
        inFlight = 0;
    }
}
