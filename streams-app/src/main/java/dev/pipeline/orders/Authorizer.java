package dev.pipeline.orders;

import java.util.concurrent.CompletableFuture;

/**
 * The payment authorization service, asynchronous: {@link #authorize} starts one attempt and
 * returns at once; the future completes (on any thread) with the service's answer. The processor
 * never waits on it: completions go through {@link AuthorizationCalls}' bounded queue, drained by
 * the stream thread. Tests inject a fake that answers at once or on demand;
 * {@link HttpAuthorizer} is the real one.
 */
public interface Authorizer extends AutoCloseable {
    /** What is sent: the JSON body's fields; {@code eventId} is also the idempotency key. */
    record Request(String eventId, String orderId, String customerId, long amountCents, String currency) {}

    enum Verdict {
        /** 2xx: apply the event. */
        APPROVED,
        /** 4xx: the service refused this payment; retrying cannot change that. */
        REFUSED,
        /** 5xx, timeout, connection refused, no worker free: try again later. */
        RETRYABLE
    }

    record Answer(Verdict verdict, String detail) {
        static Answer retryable(String detail) {
            return new Answer(Verdict.RETRYABLE, detail);
        }
    }

    /** Starts one attempt. Must not block or throw; a failed future counts as {@link Verdict#RETRYABLE}. */
    CompletableFuture<Answer> authorize(Request request);

    /** Stops what the authorizer started (worker threads, HTTP client); attempts in flight are abandoned. */
    @Override
    default void close() {}
}
