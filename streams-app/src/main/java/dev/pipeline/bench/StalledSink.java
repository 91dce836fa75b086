package dev.pipeline.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP endpoint that takes requests and never answers until closed: the external sink stalls,
 * so the logs pipeline's in-flight window and buffer fill and its overflow policy decides.
 */
final class StalledSink implements AutoCloseable {
    private static final int MAX_HELD_REQUESTS = 64;

    private final HttpServer server;
    private final ExecutorService pool;
    private final CountDownLatch released = new CountDownLatch(1);

    private StalledSink(HttpServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    static StalledSink start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            ExecutorService pool = Executors.newFixedThreadPool(MAX_HELD_REQUESTS, r -> {
                Thread t = new Thread(r, "bench-stalled-sink");
                t.setDaemon(true);
                return t;
            });
            StalledSink sink = new StalledSink(server, pool);
            server.createContext("/", exchange -> {
                try {
                    sink.released.await(10, TimeUnit.MINUTES);
                    exchange.sendResponseHeaders(503, -1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    exchange.close();
                }
            });
            server.setExecutor(pool);
            server.start();
            return sink;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the stalled sink", e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/batches";
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
