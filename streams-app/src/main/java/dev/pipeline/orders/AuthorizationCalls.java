package dev.pipeline.orders;

import dev.pipeline.orders.Authorizer.Answer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Timer;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One task's authorization calls: at most {@code maxInFlight} on the wire at a time, each behind
 * the pipeline's circuit breaker, timed in {@code pipeline_external_call_seconds}. Answers come
 * back on whatever thread completes the future and wait in a bounded queue until the stream
 * thread {@link #poll}s them: only the stream thread touches stores, forwards or dead-letters
 * ({@code ProcessorContext} is not thread-safe).
 *
 * <p><b>Why a queue of calls.</b> The stream thread visits the lot once per loop, and a loop
 * under exactly-once often takes longer than a call (the commit's flush alone is 40-60 ms on the
 * bench machine, 2026-12-02), so if only the stream thread started calls, a task would make at
 * most {@code maxInFlight} calls per loop, whatever the service's speed (~75 calls/s per task
 * with a 5 ms service). So besides the calls on the wire, up to {@value #QUEUED_PER_SLOT} x
 * {@code maxInFlight} more wait here, and the thread that completes a call sends the next one at
 * once. The answer queue holds as many as both together, so an offer never fails.
 */
final class AuthorizationCalls implements AutoCloseable {
    /** Calls waiting for a slot, per slot: enough to keep the slots busy for a few call times between loops. */
    static final int QUEUED_PER_SLOT = 8;

    /**
     * What the stream thread receives: the answer for one parked head event; or, for a call that
     * waited in the queue, that the breaker refused it when its turn came ({@code answer} null).
     */
    record Result(String orderId, String eventId, Answer answer) {
        boolean refusedByBreaker() {
            return answer == null;
        }
    }

    enum Start {
        /** On the wire, or queued to go as soon as a slot frees: an answer (or a breaker refusal) will come. */
        STARTED,
        /** Every slot and queue place is taken: try again when an answer frees one. */
        BUSY,
        /** The breaker refused the call: nothing was sent. */
        CIRCUIT_OPEN
    }

    private record Pending(String orderId, Authorizer.Request request) {}

    private final Authorizer authorizer;
    private final CircuitBreaker breaker;
    private final Timer latency;
    private final int maxInFlight;
    private final int capacity;
    private final BlockingQueue<Result> results;
    private final Queue<Pending> queued = new ConcurrentLinkedQueue<>();
    /** Calls on the wire: any thread. */
    private final AtomicInteger sending = new AtomicInteger();
    private volatile boolean closed;
    /** Stream thread only: started (sent or queued) minus polled. */
    private int inFlight;

    AuthorizationCalls(Authorizer authorizer, CircuitBreaker breaker, Timer latency, int maxInFlight) {
        this.authorizer = authorizer;
        this.breaker = breaker;
        this.latency = latency;
        this.maxInFlight = maxInFlight;
        this.capacity = maxInFlight * (1 + QUEUED_PER_SLOT);
        this.results = new ArrayBlockingQueue<>(capacity);
    }

    /** Stream thread: starts one attempt for the parked head {@code request} of {@code orderId}. */
    Start start(String orderId, Authorizer.Request request) {
        if (inFlight >= capacity) {
            return Start.BUSY;
        }
        boolean open = switch (breaker.getState()) {
            case OPEN, FORCED_OPEN -> true;
            default -> false;
        };
        if (open || queued.isEmpty()) {
            // the breaker decides now when it can (it only moves to half-open when asked); open, nothing queues
            if (!reserveSlot()) {
                if (open) {
                    return Start.BUSY;
                }
            } else if (!breaker.tryAcquirePermission()) {
                sending.decrementAndGet();
                return Start.CIRCUIT_OPEN;
            } else {
                inFlight++;
                send(orderId, request);
                return Start.STARTED;
            }
        }
        inFlight++;
        queued.add(new Pending(orderId, request));
        pump();
        return Start.STARTED;
    }

    private boolean reserveSlot() {
        for (int s = sending.get(); s < maxInFlight; s = sending.get()) {
            if (sending.compareAndSet(s, s + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Any thread: sends queued calls while slots are free. */
    private void pump() {
        while (!closed && !queued.isEmpty() && reserveSlot()) {
            Pending p = queued.poll();
            if (p == null) {
                sending.decrementAndGet(); // another thread took it; loop and look again
            } else if (!breaker.tryAcquirePermission()) {
                sending.decrementAndGet();
                results.offer(new Result(p.orderId(), p.request().eventId(), null));
            } else {
                send(p.orderId(), p.request());
            }
        }
    }

    /** With a slot reserved and the breaker's permission: the call, its answer queued, then the next queued call. */
    private void send(String orderId, Authorizer.Request request) {
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
            // cannot fail: at most `capacity` results exist before the stream thread polls
            results.offer(new Result(orderId, request.eventId(), a));
            sending.decrementAndGet();
            pump();
        });
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

    /** Calls started and not yet polled: on the wire, queued, or answered and waiting for the stream thread. */
    int inFlight() {
        return inFlight;
    }

    /** Whether another call could start now rather than find everything taken. */
    boolean hasRoom() {
        return inFlight < capacity;
    }

    @Override
    public void close() {
        closed = true;
        queued.clear();
        authorizer.close();
        results.clear();
        inFlight = 0;
    }
}
