package dev.pipeline.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local HTTP endpoint (JDK HttpServer on loopback) standing in for the external sink: answers
 * at once, slowly, with an error, or not at all (stalled until {@link #answer} or close).
 */
final class FakeHttpSink implements AutoCloseable {
    enum Mode { OK, SLOW, FAIL, STALL }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    static final String THREAD_PREFIX = "fake-http-sink-";
    private final ExecutorService executor = Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, THREAD_PREFIX + r.hashCode());
        t.setDaemon(true);
        return t;
    });
    private volatile Mode mode = Mode.OK;
    private volatile long slowMs = 200;
    private volatile CountDownLatch stall = new CountDownLatch(1);
    final AtomicLong requests = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong eventsAccepted = new AtomicLong();
    /** The most recent accepted bodies (bounded). */
    final ConcurrentLinkedQueue<JsonNode> lastBodies = new ConcurrentLinkedQueue<>();

    FakeHttpSink() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/batches", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/batches");
    }

    FakeHttpSink mode(Mode m) {
        if (m == Mode.STALL) {
            stall = new CountDownLatch(1);
        }
        Mode before = mode;
        mode = m;
        if (before == Mode.STALL && m != Mode.STALL) {
            stall.countDown();
        }
        return this;
    }

    FakeHttpSink slowMs(long ms) {
        slowMs = ms;
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            Mode m = mode;
            try {
                if (m == Mode.SLOW) {
                    TimeUnit.MILLISECONDS.sleep(slowMs);
                } else if (m == Mode.STALL) {
                    stall.await();
                    m = mode;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (m == Mode.FAIL) {
                ex.sendResponseHeaders(503, -1);
                return;
            }
            JsonNode json = JSON.readTree(body);
            accepted.incrementAndGet();
            eventsAccepted.addAndGet(json.get("count").asLong());
            lastBodies.add(json);
            while (lastBodies.size() > 100) {
                lastBodies.poll();
            }
            ex.sendResponseHeaders(204, -1);
        }
    }

    @Override
    public void close() {
        stall.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
