package dev.pipeline.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.pipeline.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The app's one HTTP server (JDK {@link HttpServer}): health, metrics, APIs, dashboard, registry.
 * Its worker pool and queue are bounded; excess requests are rejected rather than queued forever.
 */
public final class HttpServerHost implements AutoCloseable {
    private static final int WORKERS = 4;
    private static final int QUEUE = 64;

    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    private HttpServerHost(HttpServer server, ThreadPoolExecutor executor) {
        this.server = server;
        this.executor = executor;
    }

    public static HttpServerHost start(String bindAddress, int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 64);
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor executor = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(QUEUE), r -> {
                        Thread t = new Thread(r, "http-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    }, new ThreadPoolExecutor.AbortPolicy());
            executor.allowCoreThreadTimeOut(true);
            server.setExecutor(executor);
            server.start();
            return new HttpServerHost(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start HTTP server on " + bindAddress + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String bindAddress() {
        return server.getAddress().getAddress().getHostAddress();
    }

    public void mount(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    /** Serves GET {@code path} as JSON from the supplier; the status code comes with the body. */
    public void mountJson(String path, Supplier<JsonReply> reply) {
        mount(path, exchange -> {
            if (!"GET".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "application/json", "{\"error\":\"method not allowed\"}");
                return;
            }
            JsonReply r = reply.get();
            send(exchange, r.status(), "application/json", Json.PRETTY.writeValueAsString(r.body()));
        });
    }

    public static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public record JsonReply(int status, Object body) {
        public static JsonReply ok(Object body) {
            return new JsonReply(200, body);
        }
    }
}
