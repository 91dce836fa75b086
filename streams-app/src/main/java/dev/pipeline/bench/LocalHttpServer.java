package dev.pipeline.bench;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The bench's in-process HTTP endpoints ({@link DelayedAuthorizer}, {@link StalledSink}) share
 * this shape: the JDK server on a free loopback port, one handler, a fixed pool of daemon threads
 * (the handlers block, so the pool size is how many requests are served at once), and a close that
 * stops both.
 */
final class LocalHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService pool;

    private LocalHttpServer(HttpServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    static LocalHttpServer start(String threadName, int threads, HttpHandler handler) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
            server.createContext("/", handler);
            server.setExecutor(pool);
            server.start();
            return new LocalHttpServer(server, pool);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the bench's " + threadName + " server", e);
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
