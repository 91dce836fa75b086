package dev.pipeline.orders;

import dev.pipeline.policy.HttpClientThreads;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pipeline.orders.Authorizer.Request;
import dev.pipeline.orders.Authorizer.Verdict;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link HttpAuthorizer} against a local HTTP server: the request it sends, how it reads answers, what it leaves running. */
class HttpAuthorizerTest {
    private static final Request REQUEST = new Request("e-2", "o-1", "c-1", 1_250, "EUR");

    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
    private final List<Map<String, Object>> bodies = new CopyOnWriteArrayList<>();
    private final List<String> keys = new CopyOnWriteArrayList<>();
    /** Counted down to let a stalled answer go (the server never answers before it). */
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/authorize", ex -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> body = new ObjectMapper().readValue(ex.getRequestBody().readAllBytes(), Map.class);
            bodies.add(body);
            keys.add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        server.createContext("/stall", ex -> {
            try {
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private HttpAuthorizer authorizer() {
        return new HttpAuthorizer(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/authorize"), 2_000);
    }

    private static Verdict answer(HttpAuthorizer a) throws Exception {
        return a.authorize(REQUEST).get().verdict();
    }

    @Test
    void shouldPostTheRequestAsJsonWithTheEventIdAsIdempotencyKey() throws Exception {
        try (HttpAuthorizer a = authorizer()) {
            assertThat(answer(a)).isEqualTo(Verdict.APPROVED);
        }
        assertThat(bodies).singleElement().isEqualTo(Map.of("eventId", "e-2", "orderId", "o-1", "customerId", "c-1",
                "amountCents", 1_250, "currency", "EUR"));
        assertThat(keys).containsExactly("e-2");
    }

    @Test
    void shouldReadFourHundredsAsRefusedAndTheRestAsRetryable() throws Exception {
        try (HttpAuthorizer a = authorizer()) {
            status.set(402);
            assertThat(answer(a)).isEqualTo(Verdict.REFUSED);
            status.set(503);
            assertThat(answer(a)).isEqualTo(Verdict.RETRYABLE);
            status.set(429);
            assertThat(answer(a)).isEqualTo(Verdict.RETRYABLE);
        }
    }

    @Test
    void shouldReadConnectionRefusedAsRetryable() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        try (HttpAuthorizer a = new HttpAuthorizer(URI.create("http://127.0.0.1:" + free + "/"), 1_000)) {
            assertThat(answer(a)).isEqualTo(Verdict.RETRYABLE);
        }
    }

    @Test
    void shouldLeaveNoThreadAfterCloseAndAnswerRetryableOnceClosed() throws Exception {
        Set<Thread> before = HttpClientThreads.selectors();
        HttpAuthorizer a = authorizer();
        answer(a);
        assertThat(HttpClientThreads.selectors()).as("the client's selector thread").hasSizeGreaterThan(before.size());

        a.close();

        assertThat(answer(a)).isEqualTo(Verdict.RETRYABLE);
        HttpClientThreads.awaitNoSelectorsBeyond(before);
    }

    @Test
    void shouldReadAnAnswerLaterThanTheTimeoutAsRetryable() throws Exception {
        try (HttpAuthorizer a = new HttpAuthorizer(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/stall"), 200)) {
            Authorizer.Answer answer = a.authorize(REQUEST).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answer.verdict()).isEqualTo(Verdict.RETRYABLE);
            assertThat(answer.detail()).contains("HttpTimeoutException");
        }
    }
}
