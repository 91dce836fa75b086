package dev.pipeline.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pipeline.policy.DropRecorder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The observe HTTP handlers on a JDK server, as the app mounts them. */
class ObserveHandlersTest {
    private static final LagSnapshot SNAPSHOT = new LagSnapshot(Instant.parse("2026-11-22T10:00:00Z"), List.of(
            new GroupLag("pipeline-logs", LagStatus.STALL, null, List.of(
                    new PartitionLag("logs-raw", 0, 100L, 112L, 12, 3.5, LagStatus.STALL),
                    new PartitionLag("logs-raw", 1, null, 4L, 4, null, LagStatus.OK))),
            new GroupLag("pipeline-orders", LagStatus.ERR, "cluster did not answer", List.of())));

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient client = HttpClient.newHttpClient();
    private final Instant now = Instant.now();
    private final DashboardHistory history = new DashboardHistory(registry, Duration.ofSeconds(5),
            Clock.fixed(now, ZoneOffset.UTC));
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        DropRecorder.initialiseMetrics(new PipelineMetrics(registry), "logs");
        new LagGauges(registry).accept(SNAPSHOT);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", new MetricsHandler(registry));
        server.createContext("/api/lag", new LagHandler(() -> SNAPSHOT, history));
        server.createContext("/", new DashboardHandler());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        registry.close();
    }

    @Test
    void shouldServePrometheusTextWithPipelineAndLagMetrics() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(MetricsHandler.TEXT_FORMAT);
        assertThat(r.body()).contains("pipeline_records_in_total{pipeline=\"logs\"} 0.0",
                "pipeline_dropped_records_total{pipeline=\"logs\",reason=\"overflow\"} 0.0",
                "pipeline_consumer_lag_records{group=\"pipeline-logs\",partition=\"0\",topic=\"logs-raw\"} 12.0",
                "pipeline_consumer_lag_seconds{group=\"pipeline-logs\",partition=\"0\",topic=\"logs-raw\"} 3.5",
                "pipeline_consumer_lag_seconds{group=\"pipeline-logs\",partition=\"1\",topic=\"logs-raw\"} NaN",
                "pipeline_consumer_lag_status{group=\"pipeline-orders\"} 4.0");
    }

    @Test
    void shouldWriteLagJsonInItsDocumentedShapeFieldForField() {
        // the document LagJson wrote when it built it from maps, byte for byte
        assertThat(LagJson.write(SNAPSHOT, false)).isEqualTo("{\"at\":\"2026-11-22T10:00:00Z\",\"groups\":{"
                + "\"pipeline-logs\":{\"status\":\"STALL\",\"error\":null,\"totalLag\":16,\"maxLagSeconds\":3.5,\"partitions\":["
                + "{\"topic\":\"logs-raw\",\"partition\":0,\"committedOffset\":100,\"endOffset\":112,\"lag\":12,"
                + "\"lagSeconds\":3.5,\"status\":\"STALL\"},"
                + "{\"topic\":\"logs-raw\",\"partition\":1,\"committedOffset\":null,\"endOffset\":4,\"lag\":4,"
                + "\"lagSeconds\":null,\"status\":\"OK\"}]},"
                + "\"pipeline-orders\":{\"status\":\"ERR\",\"error\":\"cluster did not answer\",\"totalLag\":0,"
                + "\"maxLagSeconds\":0.0,\"partitions\":[]}}}");
        assertThat(LagJson.write(SNAPSHOT, List.of())).endsWith("\"partitions\":[]}},\"history\":[]}");
    }

    @Test
    void shouldServeLagJsonAndFilterByGroup() throws Exception {
        JsonNode all = new ObjectMapper().readTree(get("/api/lag").body());
        assertThat(all.get("at").asText()).isEqualTo("2026-11-22T10:00:00Z");
        JsonNode logs = all.get("groups").get("pipeline-logs");
        assertThat(logs.get("status").asText()).isEqualTo("STALL");
        assertThat(logs.get("totalLag").asLong()).isEqualTo(16);
        JsonNode p0 = logs.get("partitions").get(0);
        assertThat(p0.get("topic").asText()).isEqualTo("logs-raw");
        assertThat(p0.get("committedOffset").asLong()).isEqualTo(100);
        assertThat(p0.get("endOffset").asLong()).isEqualTo(112);
        assertThat(p0.get("lag").asLong()).isEqualTo(12);
        assertThat(p0.get("lagSeconds").asDouble()).isEqualTo(3.5);
        assertThat(logs.get("partitions").get(1).get("committedOffset").isNull()).isTrue();
        assertThat(logs.get("partitions").get(1).get("lagSeconds").isNull()).isTrue();
        assertThat(all.get("groups").get("pipeline-orders").get("error").asText()).contains("did not answer");

        JsonNode one = new ObjectMapper().readTree(get("/api/lag?group=pipeline-orders").body());
        assertThat(one.get("groups").fieldNames()).toIterable().containsExactly("pipeline-orders");
    }

    @Test
    void shouldServeTheLastFiveMinutesOfWhatTheDashboardPlotsWhenAsked() throws Exception {
        PipelineMetrics metrics = new PipelineMetrics(registry);
        history.accept(new LagSnapshot(now.minus(Duration.ofMinutes(6)), SNAPSHOT.groups()));
        history.accept(new LagSnapshot(now.minusSeconds(10), SNAPSHOT.groups()));
        metrics.recordsIn("logs").increment(50);
        metrics.recordsOut("logs").increment(20);
        history.accept(new LagSnapshot(now.minusSeconds(5), SNAPSHOT.groups()));

        JsonNode lag = new ObjectMapper().readTree(get("/api/lag?history=true").body());

        assertThat(lag.get("groups").get("pipeline-logs").get("totalLag").asLong()).as("the snapshot as before").isEqualTo(16);
        JsonNode samples = lag.get("history");
        assertThat(samples).as("within 5 minutes, oldest first").hasSize(2);
        assertThat(samples.get(0).get("at").asLong()).isEqualTo(now.minusSeconds(10).toEpochMilli());
        assertThat(samples.get(1).get("at").asLong()).isEqualTo(now.minusSeconds(5).toEpochMilli());
        assertThat(samples.get(0).get("pipelines").get("logs").get("recordsIn").asLong()).isZero();
        assertThat(samples.get(1).get("pipelines").get("logs").get("recordsIn").asLong()).isEqualTo(50);
        assertThat(samples.get(1).get("pipelines").get("logs").get("recordsOut").asLong()).isEqualTo(20);
        JsonNode p0 = samples.get(1).get("groups").get("pipeline-logs").get(0);
        assertThat(p0.get("topic").asText()).isEqualTo("logs-raw");
        assertThat(p0.get("lag").asLong()).isEqualTo(12);
        assertThat(p0.get("lagSeconds").asDouble()).isEqualTo(3.5);
        assertThat(new ObjectMapper().readTree(get("/api/lag").body()).has("history")).as("only when asked").isFalse();
    }

    @Test
    void shouldServeDashboardAssetsWithSameOriginPolicyAndNothingElse() throws Exception {
        HttpResponse<String> index = get("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(index.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'self'", "connect-src 'self'"));
        assertThat(index.body()).contains("id=\"lag-table\"", "id=\"drops-chart\"", "dashboard.js");
        assertThat(get("/dashboard.js").statusCode()).isEqualTo(200);
        assertThat(get("/dashboard.css").statusCode()).isEqualTo(200);
        assertThat(get("/favicon.svg").statusCode()).isEqualTo(200);
        assertThat(get("/../pom.xml").statusCode()).isEqualTo(404);
        assertThat(get("/dashboard/../logback.xml").statusCode()).isEqualTo(404);
        assertThat(client.send(HttpRequest.newBuilder(uri("/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    }

    @Test
    void shouldReferenceNoExternalUrlInDashboardAssets() throws IOException {
        Pattern url = Pattern.compile("(https?:)?//[a-zA-Z0-9.-]+\\.[a-z]{2,}");
        for (String file : List.of("index.html", "dashboard.js", "dashboard.css", "favicon.svg")) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream("dashboard/" + file)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                Matcher m = url.matcher(text);
                while (m.find()) {
                    assertThat(m.group()).as(file + " may only name the SVG namespace, never fetch").isEqualTo("http://www.w3.org");
                }
            }
        }
    }

    @Test
    void shouldParseRepeatedGroupQuery() {
        assertThat(LagHandler.groups("group=a&x=1&group=b%2Dc")).containsExactly("a", "b-c");
        assertThat(LagHandler.groups(null)).isEmpty();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }
}
