package dev.pipeline.orders;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A payment authorization service over real HTTP for the parking integration tests (JDK
 * {@code HttpServer}, 127.0.0.1, a free port): the orders whose id hashes into the first
 * {@value #FAILING_PERCENT}% get 503 until the outage ends, the next {@value #REFUSED_PERCENT}% are
 * refused with 402 every time, every other order is approved (200). The outage starts with
 * {@link #startOutage}, so it covers the load rather than the app's start-up.
 */
final class OutageAuthorizer implements AutoCloseable {
    static final int FAILING_PERCENT = 10;
    static final int REFUSED_PERCENT = 2;
    private static final Pattern ORDER_ID = Pattern.compile("\"orderId\"\\s*:\\s*\"([^\"]*)\"");

    private final HttpServer server;
    private final ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "outage-authorizer");
        t.setDaemon(true);
        return t;
    });
    private volatile long outageEndsAtMs = Long.MIN_VALUE;
    final AtomicLong approved = new AtomicLong();
    final AtomicLong unavailable = new AtomicLong();
    final AtomicLong refused = new AtomicLong();

    OutageAuthorizer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/authorize", this::answer);
        server.setExecutor(workers);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/authorize";
    }

    /** From now on, for {@code length}, the failing orders get 503. */
    void startOutage(Duration length) {
        outageEndsAtMs = System.currentTimeMillis() + length.toMillis();
    }

    long outageEndsAtMs() {
        return outageEndsAtMs;
    }

    static boolean failing(String orderId) {
        return bucket(orderId) < FAILING_PERCENT;
    }

    static boolean refused(String orderId) {
        int b = bucket(orderId);
        return b >= FAILING_PERCENT && b < FAILING_PERCENT + REFUSED_PERCENT;
    }

    private static int bucket(String orderId) {
        return Math.floorMod(orderId.hashCode() * 0x9E3779B1, 100);
    }

    private void answer(HttpExchange x) throws IOException {
        try (x; InputStream in = x.getRequestBody()) {
            Matcher m = ORDER_ID.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            String orderId = m.find() ? m.group(1) : "";
            int code;
            if (refused(orderId)) {
                code = 402;
                refused.incrementAndGet();
            } else if (failing(orderId) && System.currentTimeMillis() < outageEndsAtMs) {
                code = 503;
                unavailable.incrementAndGet();
            } else {
                code = 200;
                approved.incrementAndGet();
            }
            x.sendResponseHeaders(code, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
