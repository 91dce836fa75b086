package dev.pipeline.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process payment authorization service for the bench: every {@code POST} is approved (200)
 * after a fixed delay, standing in for a fast real service. Its pool has a thread per call the
 * pipeline may have in flight (at most 256, {@code external.call.max.concurrency}'s cap, per task),
 * so the delay is the service's, not a queue's.
 */
final class DelayedAuthorizer implements AutoCloseable {
    private static final int THREADS = 256;

    private final HttpServer server;
    private final ExecutorService pool;
    private final AtomicLong calls = new AtomicLong();

    private DelayedAuthorizer(HttpServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    static DelayedAuthorizer start(Duration delay) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), THREADS);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
                Thread t = new Thread(r, "bench-authorizer");
                t.setDaemon(true);
                return t;
            });
            DelayedAuthorizer a = new DelayedAuthorizer(server, pool);
            server.createContext("/", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    TimeUnit.NANOSECONDS.sleep(delay.toNanos()); // the service's own work
                    a.calls.incrementAndGet();
                    exchange.sendResponseHeaders(200, -1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.setExecutor(pool);
            server.start();
            return a;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the bench authorizer", e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/authorize";
    }

    long calls() {
        return calls.get();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
