package dev.pipeline.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import dev.pipeline.testing.KafkaBrokerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole app ({@code java -jar streams-app.jar run}, embedded broker, one child JVM shared by
 * these tests) seen from outside: /metrics, /api/lag, the dashboard in headless Chromium, the
 * {@code lag} command, and the Grafana dashboard's queries against a live scrape.
 */
@Tag("integration")
class ObservabilityIT {
    /** Every {@code pipeline_*} name of CONTRACT.md (Prometheus form). */
    private static final List<String> CONTRACT_METRICS = List.of(
            "pipeline_records_in_total", "pipeline_records_out_total", "pipeline_dropped_records_total",
            "pipeline_dlq_records_total", "pipeline_retries_total", "pipeline_circuit_state",
            "pipeline_buffer_records", "pipeline_buffer_bytes", "pipeline_buffer_capacity_records",
            "pipeline_buffer_capacity_bytes", "pipeline_duplicates_total", "pipeline_conservation_violations_total",
            "pipeline_consumer_lag_records", "pipeline_consumer_lag_seconds",
            "pipeline_parked_records", "pipeline_parked_keys");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TARGET = Path.of("target");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Path stateDir;
    private static Process app;
    private static int httpPort;
    private static String bootstrap;

    @BeforeAll
    static void startApp() throws Exception {
        stateDir = Files.createTempDirectory("observability-it-");
        Path log = TARGET.resolve("observability-it-app.log");
        app = new ProcessBuilder(java(), "-Xmx384m", "-XX:+UseSerialGC", "-jar", appJar(), "run",
                "--http-port", "0", "--state-dir", stateDir.toString(), "--set", "lag.poll.interval.ms=500",
                "--set", "lag.window.size=4", "--set", "demo.rate=0") // a steady demo load would keep lag above 0
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Pattern httpLine = Pattern.compile("HTTP: http://[^:]+:(\\d+)/");
        Pattern brokerLine = Pattern.compile("running against (\\S+)");
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            assertThat(app.isAlive()).as("app exited early; see " + log).isTrue();
            String out = Files.readString(log);
            Matcher h = httpLine.matcher(out);
            Matcher b = brokerLine.matcher(out);
            if (h.find() && b.find()) {
                httpPort = Integer.parseInt(h.group(1));
                bootstrap = b.group(1);
                return true;
            }
            return false;
        });
        await().atMost(Duration.ofSeconds(90)).until(() -> get("/health/ready").statusCode() == 200);
        produceLogEvents(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> JSON.readTree(get("/api/lag").body())
                .path("groups").path("pipeline-logs").path("partitions").size() > 0);
    }

    @AfterAll
    static void stopApp() throws Exception {
        if (app != null) {
            app.destroy();
            if (!app.waitFor(60, TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (stateDir != null) {
            KafkaBrokerExtension.deleteRecursively(stateDir);
        }
    }

    @Test
    void shouldScrapeEveryContractMetricAndKafkaStreamsOwnMetrics() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Set<String> names = scrapeNames();
            assertThat(missing(CONTRACT_METRICS, names)).as("pipeline_* names of CONTRACT.md missing from /metrics").isEmpty();
            assertThat(missing(List.of("kafka_stream_thread_process_rate", "kafka_consumer_fetch_manager_records_lag_max",
                    "kafka_producer_record_send_total"), names)).as("Kafka Streams' own metrics (KafkaStreamsMetrics)").isEmpty();
            assertThat(missing(List.of("jvm_memory_used_bytes", "process_cpu_usage"), names)).as("JVM binders").isEmpty();
        });
    }

    @Test
    void shouldRenderLagTableAndDropsChartInHeadlessChromium() throws Exception {
        Optional<Path> chromium = HeadlessChromium.find();
        Assumptions.assumeTrue(chromium.isPresent(),
                "skipped: no Chromium on this machine (install Debian packages chromium and chromium-driver; .ci/run does)");
        try (HeadlessChromium browser = HeadlessChromium.launch(chromium.get(), 1400, 1200, TARGET.resolve("chromium.log"))) {
            browser.navigate("http://127.0.0.1:" + httpPort + "/");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                assertThat(browser.evaluate("document.querySelectorAll('#lag-table tbody tr[data-group]').length").asInt())
                        .as("lag table rows").isGreaterThan(0);
                assertThat(browser.evaluate("document.querySelectorAll('#drops-chart svg g.bar[data-reason]').length").asInt())
                        .as("drops-by-reason bars").isGreaterThan(0);
                assertThat(browser.evaluate("document.querySelectorAll('#pipelines .card[data-pipeline]').length").asInt())
                        .as("pipeline cards").isGreaterThan(0);
                assertThat(browser.evaluate("document.getElementById('conn').textContent").asText()).isEqualTo("live");
            });
            assertThat(browser.evaluate("[...series.lagRecords.values()].some(s => s.length && s[0][0] < performance.timeOrigin)")
                    .asBoolean()).as("lag drawn from before the page opened (the server's history)").isTrue();
            JsonNode firstRow = browser.evaluate(
                    "Array.from(document.querySelectorAll('#lag-table tbody tr')[0].cells).map(c => c.textContent)");
            assertThat(firstRow.get(0).asText()).isEqualTo("pipeline-logs");
            JsonNode reasons = browser.evaluate(
                    "Array.from(document.querySelectorAll('#drops-chart g.bar')).map(g => g.dataset.reason)");
            assertThat(reasons.toString()).contains("overflow", "deserialization", "rejected");
            // payment authorization is off here: the orders card says so and shows nothing parked
            assertThat(browser.evaluate("document.querySelector('#pipelines .card[data-pipeline=\"orders\"] .parked-records')"
                    + ".dataset.value").asText()).isEqualTo("0");
            assertThat(browser.evaluate("document.querySelector('#pipelines .card[data-pipeline=\"orders\"] .parked-keys')"
                    + ".dataset.value").asText()).isEqualTo("0");
            // let the charts gather a few points before the picture
            await().atMost(Duration.ofSeconds(15)).until(() -> browser.evaluate(
                    "document.querySelectorAll('#lag-table tbody tr').length > 0 && performance.now() > 8000").asBoolean());
            Path shot = TARGET.resolve("dashboard-screenshot.png");
            browser.screenshot(shot);
            assertThat(Files.size(shot)).isGreaterThan(10_000);
        }
    }

    @Test
    void shouldReportTheRejectedReasonAndTheParkedSizesInApiStatus() throws Exception {
        JsonNode orders = JSON.readTree(get("/api/status").body()).path("pipelines").path("orders");
        assertThat(orders.path("droppedByReason").has("rejected")).as(orders.toString()).isTrue();
        JsonNode auth = orders.path("authorization");
        assertThat(auth.path("enabled").asBoolean(true)).as(auth.toString()).isFalse();
        assertThat(auth.path("parkedRecords").isNumber()).as(auth.toString()).isTrue();
        assertThat(auth.path("parkedKeys").asLong(-1)).isZero();
    }

    @Test
    void shouldServeTheDashboardsHistoryWithApiLagWhenAsked() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode history = JSON.readTree(get("/api/lag?history=true").body()).get("history");
            assertThat(history.size()).as("samples every 500 ms since start").isGreaterThan(2);
            List<Long> at = new ArrayList<>();
            history.forEach(h -> at.add(h.get("at").asLong()));
            assertThat(at).isSorted();
            assertThat(at.get(0)).isGreaterThanOrEqualTo(System.currentTimeMillis() - DashboardHistory.WINDOW.toMillis() - 1_000);
            JsonNode last = history.get(history.size() - 1);
            assertThat(last.get("pipelines").fieldNames()).toIterable().contains("logs", "orders");
            assertThat(last.get("pipelines").get("logs").get("recordsIn").asLong()).isPositive();
            assertThat(last.get("groups").get("pipeline-logs").size()).isPositive();
        });
        assertThat(JSON.readTree(get("/api/lag").body()).has("history")).isFalse();
    }

    @Test
    void shouldPrintSameLagJsonAsApiLag() throws Exception {
        // settled: all 200 events visible and every partition committed up to its end
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode parts = JSON.readTree(get("/api/lag?group=pipeline-logs").body()).path("groups")
                    .path("pipeline-logs").path("partitions");
            long end = 0;
            for (JsonNode p : parts) {
                end += p.path("endOffset").asLong(0);
                if (p.path("endOffset").asLong(0) > 0 && p.path("committedOffset").asLong(-1) != p.path("endOffset").asLong()) {
                    return false;
                }
            }
            return end >= 200;
        });
        JsonNode cli = JSON.readTree(runLag("--json", "--group", "pipeline-logs"));
        JsonNode api = JSON.readTree(get("/api/lag?group=pipeline-logs").body());
        assertThat(fieldNames(cli.get("groups"))).containsExactly("pipeline-logs");
        assertThat(comparable(cli)).isEqualTo(comparable(api));
        assertThat(runLag("--group", "pipeline-logs")).contains("pipeline-logs", "logs-raw", "OK");
    }

    @Test
    void shouldPrintOneJsonDocumentPerSampleInWatchMode() throws Exception {
        String[] lines = runLag("--json", "--watch", "--samples", "3", "--interval", "200").strip().split("\n");
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            assertThat(JSON.readTree(line).path("groups").has("pipeline-logs")).as(line).isTrue();
        }
    }

    @Test
    void shouldQueryOnlyMetricsTheAppExportsInGrafanaDashboard() throws Exception {
        JsonNode dash = JSON.readTree(Files.readString(Path.of("..", "docker", "grafana", "dashboards", "pipeline.json")));
        List<String> exprs = new ArrayList<>();
        dash.findValues("expr").forEach(e -> exprs.add(e.asText()));
        dash.findValues("definition").forEach(e -> exprs.add(e.asText()));
        assertThat(exprs).hasSizeGreaterThan(10);
        Set<String> used = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:pipeline|kafka|jvm|process|system)_[a-z0-9_]+)\\b");
        for (String e : exprs) {
            Matcher m = metric.matcher(e);
            boolean any = false;
            while (m.find()) {
                used.add(m.group(1));
                any = true;
            }
            assertThat(any).as("query names a metric: " + e).isTrue();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(missing(used, scrapeNames())).as("metrics the Grafana dashboard queries but /metrics lacks").isEmpty());
        assertThat(used).contains("pipeline_consumer_lag_records", "pipeline_consumer_lag_seconds",
                "pipeline_dropped_records_total", "pipeline_buffer_records", "pipeline_circuit_state", "pipeline_records_in_total");
    }

    /** Group → partitions as (topic, partition, committed, end, lag, lagSeconds, status); not the sample time. */
    private static List<String> comparable(JsonNode lag) {
        List<String> rows = new ArrayList<>();
        lag.get("groups").fields().forEachRemaining(g -> g.getValue().get("partitions").forEach(p ->
                rows.add(String.join(" ", g.getKey(), p.get("topic").asText(), p.get("partition").asText(),
                        p.get("committedOffset").asText(), p.get("endOffset").asText(), p.get("lag").asText(),
                        p.get("lagSeconds").asText(), p.get("status").asText()))));
        return rows;
    }

    private static List<String> missing(java.util.Collection<String> wanted, Set<String> have) {
        return wanted.stream().filter(n -> !have.contains(n)).sorted().toList();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static String runLag(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:+UseSerialGC", "-jar", appJar(), "lag",
                "--bootstrap-servers", bootstrap));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(TARGET, "lag-out-", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                .redirectError(TARGET.resolve("lag-command.log").toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("lag command finished").isTrue();
            assertThat(p.exitValue()).as("exit code; see target/lag-command.log").isZero();
            return Files.readString(out);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    static Set<String> scrapeNames() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String line : get("/metrics").body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static void produceLogEvents(int n) throws Exception {
        Map<String, Object> serde = Map.of(SchemaRegistryClients.SCHEMA_REGISTRY_URL,
                "http://localhost:" + httpPort + "/registry");
        try (KafkaProducer<String, LogEvent> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), AvroSerde.configured(LogEvent.class, serde, false))) {
            for (int i = 0; i < n; i++) {
                String service = "svc-" + (i % 5);
                producer.send(new ProducerRecord<>("logs-raw", service, LogEvent.newBuilder().setEventId("e-" + i)
                        .setTimestamp(Instant.now()).setService(service).setHost("h1").setLevel(LogLevel.INFO)
                        .setMessage("message " + i).build()));
            }
            producer.flush();
        }
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String appJar() {
        String jar = System.getProperty("app.jar", "target/streams-app.jar");
        assertThat(Path.of(jar)).as("run after package (failsafe)").exists();
        return jar;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
