package dev.pipeline.orders;

import dev.pipeline.json.Json;
import dev.pipeline.policy.ExternalHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@link Authorizer} over HTTP: {@code POST url} with the JSON request and
 * {@code Idempotency-Key: <eventId>}, sent asynchronously ({@code sendAsync}) through
 * {@link ExternalHttp}'s client, as the logs sink's. No pool of our own: the concurrency bound is
 * {@link AuthorizationCalls}' in-flight slots, and answers complete on the client's selector
 * thread, where the next queued call is sent (a non-blocking hand-off). One client per task;
 * {@link #close()} lets go of it so its selector thread stops. 2xx approved; 4xx refused, except
 * 408 and 429 (the service asks to come back, as the logs sink reads them); everything else,
 * timeouts and I/O errors included, retryable.
 */
final class HttpAuthorizer implements Authorizer {
    private final URI url;
    private final int timeoutMs;
    /** Null once closed. */
    private volatile HttpClient client;

    HttpAuthorizer(URI url, int timeoutMs) {
        this.url = url;
        this.timeoutMs = timeoutMs;
        this.client = ExternalHttp.client(timeoutMs);
    }

    @Override
    public CompletableFuture<Answer> authorize(Request request) {
        HttpClient c = client;
        if (c == null) {
            return CompletableFuture.completedFuture(Answer.retryable("the authorizer has stopped"));
        }
        try {
            return c.sendAsync(ExternalHttp.postJson(url, timeoutMs, json(request), "Idempotency-Key", request.eventId()),
                    HttpResponse.BodyHandlers.discarding()).handle((response, failure) -> failure != null
                            ? Answer.retryable(describe(failure))
                            : new Answer(verdict(response.statusCode()), "HTTP " + response.statusCode()));
        } catch (Exception e) {
            return CompletableFuture.completedFuture(Answer.retryable(describe(e)));
        }
    }

    private static String describe(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    static Verdict verdict(int code) {
        return switch (ExternalHttp.status(code)) {
            case SUCCESS -> Verdict.APPROVED;
            case PERMANENT -> Verdict.REFUSED;
            case RETRYABLE -> Verdict.RETRYABLE;
        };
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

    /** Calls in flight are abandoned (their answers, if any, are ignored by the closed task). */
    @Override
    public void close() {
        client = null;
    }
}
