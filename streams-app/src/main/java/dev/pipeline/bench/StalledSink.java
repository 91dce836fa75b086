package dev.pipeline.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP endpoint that takes requests and never answers until closed: the external sink stalls,
 * so the logs pipeline's in-flight window and buffer fill and its overflow policy decides.
 */
final class StalledSink implements AutoCloseable {
    private static final int MAX_HELD_REQUESTS = 64;

    private final CountDownLatch released = new CountDownLatch(1);
    private final LocalHttpServer server;

    private StalledSink() {
        this.server = LocalHttpServer.start("bench-stalled-sink", MAX_HELD_REQUESTS, exchange -> {
            try {
                released.await(10, TimeUnit.MINUTES);
                exchange.sendResponseHeaders(503, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
    }

    static StalledSink start() {
        return new StalledSink();
    }

    String url() {
        return server.url("/batches");
    }

    @Override
    public void close() {
        released.countDown(); // the held handlers answer and end before the server stops
        server.close();
    }
}
