package dev.pipeline.orders;

import dev.pipeline.observe.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Authorizer} over HTTP: {@code POST url} with the JSON request and
 * {@code Idempotency-Key: <eventId>}, on a bounded pool of one task's workers. Blocking
 * {@link HttpURLConnection} on our own threads rather than {@code java.net.http.HttpClient}:
 * the pool is then the concurrency bound, and nothing (no selector thread) outlives
 * {@link #close()}. 2xx approved; 4xx refused, except 408 and 429 (the service asks to come
 * back, as the logs sink reads them); everything else, timeouts and I/O errors included, retryable.
 */
final class HttpAuthorizer implements Authorizer {
    private final URI url;
    private final int timeoutMs;
    private final ThreadPoolExecutor pool;

    HttpAuthorizer(URI url, int timeoutMs, int threads, String name) {
        this.url = url;
        this.timeoutMs = timeoutMs;
        AtomicInteger n = new AtomicInteger();
        // queue as long as the pool: the processor never has more than `threads` calls in flight per task
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(threads), r -> {
            Thread t = new Thread(r, "pipeline-orders-authorizer-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public CompletableFuture<Answer> authorize(Request request) {
        try {
            return CompletableFuture.supplyAsync(() -> post(request), pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Answer.retryable("no authorization worker free"));
        }
    }

    private Answer post(Request r) {
        try {
            HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
            try {
                c.setConnectTimeout(timeoutMs);
                c.setReadTimeout(timeoutMs);
                c.setRequestMethod("POST");
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                c.setRequestProperty("Idempotency-Key", r.eventId());
                try (OutputStream out = c.getOutputStream()) {
                    out.write(json(r));
                }
                int code = c.getResponseCode();
                try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
                    if (in != null) {
                        in.readAllBytes();
                    }
                }
                // no disconnect(): the body is read and closed, so the JDK keeps the connection alive for the
                // next call (a new TCP connection per authorization was most of a fast service's cost)
                return new Answer(verdict(code), "HTTP " + code);
            } catch (Exception e) {
                c.disconnect(); // a broken connection must not go back to the keep-alive cache
                throw e;
            }
        } catch (Exception e) {
            return Answer.retryable(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    static Verdict verdict(int code) {
        if (code >= 200 && code < 300) {
            return Verdict.APPROVED;
        }
        if (code >= 400 && code < 500 && code != 408 && code != 429) {
            return Verdict.REFUSED;
        }
        return Verdict.RETRYABLE;
    }

    static byte[] json(Request r) throws java.io.IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eventId", r.eventId());
        m.put("orderId", r.orderId());
        m.put("customerId", r.customerId());
        m.put("amountCents", r.amountCents());
        m.put("currency", r.currency());
        return Json.MAPPER.writeValueAsBytes(m);
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
