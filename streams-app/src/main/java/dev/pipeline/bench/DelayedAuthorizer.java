package dev.pipeline.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process payment authorization service for the bench: every {@code POST} is approved (200)
 * after a fixed delay, standing in for a fast real service. Its pool has a thread per call the
 * pipeline may have in flight (at most 256, {@code external.call.max.concurrency}'s cap, per task),
 * so the delay is the service's, not a queue's (the 2026-12-02 profile: its threads idle most of a
 * run, 3% of the samples).
 */
final class DelayedAuthorizer implements AutoCloseable {
    private static final int THREADS = 256;

    private final AtomicLong calls = new AtomicLong();
    private final LocalHttpServer server;

    private DelayedAuthorizer(Duration delay) {
        this.server = LocalHttpServer.start("bench-authorizer", THREADS, exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                TimeUnit.NANOSECONDS.sleep(delay.toNanos()); // the service's own work
                calls.incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    static DelayedAuthorizer start(Duration delay) {
        return new DelayedAuthorizer(delay);
    }

    String url() {
        return server.url("/authorize");
    }

    long calls() {
        return calls.get();
    }

    @Override
    public void close() {
        server.close();
    }
}
