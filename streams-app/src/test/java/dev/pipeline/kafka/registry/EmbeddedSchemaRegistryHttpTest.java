package dev.pipeline.kafka.registry;

import static dev.pipeline.kafka.registry.InMemorySchemaRegistryClientTest.NO_DEFAULT;
import static dev.pipeline.kafka.registry.InMemorySchemaRegistryClientTest.V1;
import static dev.pipeline.kafka.registry.InMemorySchemaRegistryClientTest.V2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpServer;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP client against the embedded registry over real HTTP, with an in-memory store. */
class EmbeddedSchemaRegistryHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(SchemaStore.inMemory());
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private String url;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/registry", registry);
        server.createContext("/secured", registry).setAuthenticator(new BasicAuthenticator("registry") {
            @Override
            public boolean checkCredentials(String user, String password) {
                return user.equals("app") && password.equals("pa:ss");
            }
        });
        server.createContext("/stuck", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/registry";
    }

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        registry.close();
    }

    @Test
    void registersAndFetchesOverHttpWithStableIds() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url);
        int id = client.register("logs-raw-value", LogEvent.getClassSchema());

        // a second, cold client proves the id comes from the server, not a cache
        HttpSchemaRegistryClient cold = new HttpSchemaRegistryClient(url + "/");
        assertThat(cold.register("logs-raw-value", LogEvent.getClassSchema())).isEqualTo(id);
        assertThat(cold.register("copy-value", LogEvent.getClassSchema())).isEqualTo(id);
        assertThat(cold.getById(id)).isEqualTo(LogEvent.getClassSchema());
        assertThat(cold.latest("logs-raw-value"))
                .isEqualTo(new SchemaVersion("logs-raw-value", 1, id, LogEvent.getClassSchema()));
        assertThat(cold.subjects()).containsExactly("copy-value", "logs-raw-value");
        assertThat(registry.client().getById(id)).isEqualTo(LogEvent.getClassSchema());
    }

    @Test
    void subjectsWithReservedCharactersSurviveTheRoundTrip() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url);
        String subject = "team a/orders+v2:value";

        int id = client.register(subject, V1);

        assertThat(client.latest(subject).id()).isEqualTo(id);
        assertThat(client.subjects()).containsExactly(subject);
    }

    @Test
    void literalPlusInAPathStaysAPlus() throws Exception {
        registry.client().register("a+b", V1);

        assertThat(json(get("/subjects/a+b/versions/latest")).get("subject").asText()).isEqualTo("a+b");
    }

    @Test
    void confluentErrorShapesOverRawHttp() throws Exception {
        registry.client().register("s", V1);

        assertError(get("/subjects/nope/versions/latest"), 404, 40401, "Subject 'nope' not found.");
        assertError(get("/schemas/ids/999"), 404, 40403, "Schema 999 not found");
        assertError(get("/subjects/s/versions/7"), 404, 40402, "Version 7 not found.");
        assertError(post("/subjects/s/versions", "{\"schema\":\"{\\\"type\\\":\\\"nonsense\\\"}\"}"),
                422, 42201, "Invalid schema");
        assertError(post("/subjects/s/versions", "{\"schema\":1}"), 422, 42201, "no \"schema\" string");
        assertError(post("/subjects/s/versions", "not json"), 400, 400, "Unparseable");
        assertError(post("/subjects/s/versions", body(NO_DEFAULT.toString())), 409, 409, "incompatible");
        assertError(get("/nothing/here"), 404, 404, "HTTP 404 Not Found");
        assertError(post("/subjects", "{}"), 405, 405, "Method Not Allowed");
    }

    @Test
    void restSubsetAnswersInConfluentShape() throws Exception {
        HttpResponse<String> registered = post("/subjects/s/versions", body(V1.toString()));
        assertThat(registered.statusCode()).isEqualTo(200);
        assertThat(registered.headers().firstValue("Content-Type"))
                .hasValue("application/vnd.schemaregistry.v1+json");
        assertThat(JSON.readTree(registered.body())).isEqualTo(JSON.readTree("{\"id\":1}"));

        assertThat(json(get("/subjects"))).isEqualTo(JSON.readTree("[\"s\"]"));
        assertThat(json(get("/subjects/s/versions"))).isEqualTo(JSON.readTree("[1]"));
        JsonNode latest = json(get("/subjects/s/versions/latest"));
        assertThat(latest.get("subject").asText()).isEqualTo("s");
        assertThat(latest.get("version").asInt()).isEqualTo(1);
        assertThat(latest.get("id").asInt()).isEqualTo(1);
        assertThat(latest.get("schema").asText()).isEqualTo(V1.toString());
        assertThat(json(get("/schemas/ids/1")).get("schema").asText()).isEqualTo(V1.toString());
    }

    @Test
    void compatibilityEndpointChecksBackwardAgainstLatest() throws Exception {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url);
        client.register("s", V1);

        assertThat(client.isCompatible("s", V2)).isTrue();
        assertThat(client.isCompatible("s", NO_DEFAULT)).isFalse();
        assertThat(json(post("/compatibility/subjects/s/versions/latest", body(NO_DEFAULT.toString()))))
                .isEqualTo(JSON.readTree("{\"is_compatible\":false}"));
        assertError(post("/compatibility/subjects/nope/versions/latest", body(V1.toString())), 404, 40401,
                "Subject 'nope' not found.");
        assertThatThrownBy(() -> client.isCompatible("nope", V1))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isNotFound()).isTrue());
    }

    @Test
    void cachedIdsAndSchemasSurviveARegistryOutage() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url);
        int id = client.register("logs-raw-value", LogEvent.getClassSchema());
        int orders = registry.client().register("orders-value", OrderEvent.getClassSchema());
        assertThat(client.getById(orders)).isEqualTo(OrderEvent.getClassSchema());

        server.stop(0);

        assertThat(client.register("logs-raw-value", LogEvent.getClassSchema())).isEqualTo(id);
        assertThat(client.getById(id)).isEqualTo(LogEvent.getClassSchema());
        assertThat(client.getById(orders)).isEqualTo(OrderEvent.getClassSchema());
        assertThatThrownBy(() -> client.getById(orders + 1))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.UNREACHABLE))
                .hasMessageContaining("schema registry unreachable");
    }

    @Test
    void basicAuthIsSent() {
        String secured = url.replace("/registry", "/secured");
        HttpSchemaRegistryClient good = new HttpSchemaRegistryClient(secured, "app:pa:ss", Duration.ofSeconds(5), 10);
        HttpSchemaRegistryClient bad = new HttpSchemaRegistryClient(secured, "app:wrong", Duration.ofSeconds(5), 10);
        HttpSchemaRegistryClient none = new HttpSchemaRegistryClient(secured);

        assertThat(good.register("s", V1)).isEqualTo(1);
        assertThatThrownBy(() -> bad.getById(1))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
        assertThatThrownBy(() -> none.getById(1))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
    }

    @Test
    void requestTimeoutIsHonoured() {
        String stuck = url.replace("/registry", "/stuck");
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(stuck, null, Duration.ofMillis(300), 10);
        Instant start = Instant.now();

        assertThatThrownBy(() -> client.getById(1))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.UNREACHABLE))
                .hasMessageContaining("timed out");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void triesTheNextUrlWhenOneIsUnreachable() throws IOException {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        HttpSchemaRegistryClient client =
                new HttpSchemaRegistryClient("http://127.0.0.1:" + closedPort + "/registry, " + url);

        assertThat(client.register("s", V1)).isEqualTo(1);
    }

    @Test
    void serdeConfiguredWithTheUrlRoundTripsThroughTheRegistry() {
        Map<String, Object> configs = Map.of("schema.registry.url", url);
        AvroSerde<OrderEvent> producer = AvroSerde.configured(OrderEvent.class, configs, false);
        AvroSerde<OrderEvent> consumer = AvroSerde.configured(OrderEvent.class, configs, false);
        OrderEvent event = OrderEvent.newBuilder().setEventId("e").setOrderId("o").setCustomerId("c")
                .setType(dev.pipeline.schema.OrderEventType.CREATED).setAmountCents(5).setCurrency("EUR")
                .setTimestamp(Instant.ofEpochMilli(1000)).build();

        assertThat(consumer.deserialize("orders", producer.serialize("orders", event))).isEqualTo(event);
        assertThat(registry.client().subjects()).containsExactly("orders-value");
    }

    private static String body(String schema) throws IOException {
        return JSON.writeValueAsString(Map.of("schema", schema));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", HttpSchemaRegistryClient.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, int code, String message)
            throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error_code").asInt()).isEqualTo(code);
        assertThat(body.get("message").asText()).contains(message);
    }
}
