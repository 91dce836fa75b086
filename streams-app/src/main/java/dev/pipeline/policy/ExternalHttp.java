package dev.pipeline.policy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * The one way the pipelines talk HTTP to an external service (the logs sink, the orders' payment
 * authorizer; issue #14): {@code java.net.http.HttpClient} with a connect timeout, a JSON
 * {@code POST} with a request timeout, and how a status code is read. Callers bound their own
 * concurrency (the sink's workers, the authorizer's in-flight slots).
 */
public final class ExternalHttp {
    /** What a status code means for the call. */
    public enum Status {
        /** 2xx. */
        SUCCESS,
        /** 4xx other than 408 and 429: this request will never succeed; do not retry. */
        PERMANENT,
        /** 5xx, 408, 429, anything else: the service asks to come back later. */
        RETRYABLE
    }

    private ExternalHttp() {}

    /**
     * HTTP/1.1, connect timeout {@code timeoutMs}. Tasks the client would hand to its default
     * executor (a second, unbounded pool) run on the thread that completes them instead: the
     * caller's, or the client's selector thread. Java 17's client has no close(): the selector
     * thread stops once the client is unreachable, so owners drop their reference when they close.
     */
    public static HttpClient client(long timeoutMs) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Runnable::run)
                .connectTimeout(Duration.ofMillis(timeoutMs)).build();
    }

    /** A JSON {@code POST} of {@code body} answering within {@code timeoutMs}; {@code headers} as name, value pairs. */
    public static HttpRequest postJson(URI url, long timeoutMs, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofMillis(timeoutMs))
                .header("Content-Type", "application/json");
        if (headers.length > 0) {
            b.headers(headers);
        }
        return b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    public static Status status(int code) {
        if (code >= 200 && code < 300) {
            return Status.SUCCESS;
        }
        if (code >= 400 && code < 500 && code != 408 && code != 429) {
            return Status.PERMANENT;
        }
        return Status.RETRYABLE;
    }
}
