package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.app.PipelineApplication;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.LogsKeys;
import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.SchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.orders.OrdersVerifier;
import dev.pipeline.orders.VerificationReport;
import dev.pipeline.orders.VerifierInputs;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.testing.ConfluentWire;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TopicRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Producers that evolve their schemas, against the real pipelines ({@code run} in-process with
 * its embedded broker and registry). The producers here write as a non-Java client would: plain
 * Avro JSON schemas (no {@code avro.java.string}), generic records, Confluent framing by hand.
 *
 * <p>Ordered: the first test needs an empty DLQ, the last one puts records there.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchemaEvolutionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int LOG_EVENTS = 300;
    private static final int ORDERS = 60;
    private static final List<String> ORDER_STEPS = List.of("CREATED", "PAID", "SHIPPED");

    private static final Schema LOG_V1 = new Schema.Parser().parse("""
            {"type": "record", "name": "LogEvent", "namespace": "dev.pipeline.schema", "fields": [
              {"name": "eventId", "type": "string"},
              {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "service", "type": "string"},
              {"name": "host", "type": "string"},
              {"name": "level", "type": {"type": "enum", "name": "LogLevel",
                "symbols": ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], "default": "INFO"}},
              {"name": "message", "type": "string"},
              {"name": "traceId", "type": ["null", "string"], "default": null},
              {"name": "attributes", "type": {"type": "map", "values": "string"}, "default": {}}]}""");
    private static final Schema LOG_ADDED = withOptional(LOG_V1, "region");
    private static final Schema LOG_REMOVED = without(LOG_V1, "traceId");
    // the producer's v1 has a field the app never had; its v3 drops it again
    private static final Schema ORDER_V1 = withOptional(new Schema.Parser().parse("""
            {"type": "record", "name": "OrderEvent", "namespace": "dev.pipeline.schema", "fields": [
              {"name": "eventId", "type": "string"},
              {"name": "orderId", "type": "string"},
              {"name": "customerId", "type": "string"},
              {"name": "type", "type": {"type": "enum", "name": "OrderEventType",
                "symbols": ["CREATED", "PAID", "SHIPPED", "CANCELLED"]}},
              {"name": "amountCents", "type": "long"},
              {"name": "currency", "type": "string"},
              {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}"""), "channel");
    private static final Schema ORDER_ADDED = withOptional(ORDER_V1, "couponCode");
    private static final Schema ORDER_REMOVED = without(ORDER_V1, "channel");

    private Path stateDir;
    private PipelineApplication app;
    private Topics topics;
    private String registryUrl;
    private SchemaRegistryClient registry;
    private final List<Integer> logIds = new ArrayList<>();
    private final List<Integer> orderIds = new ArrayList<>();

    @BeforeAll
    void startApp() throws Exception {
        stateDir = Files.createTempDirectory("schema-evolution-it-");
        PipelineConfig config = PipelineConfig.defaults().with(Map.of(
                CoreKeys.EMBEDDED_BROKER_PORT_CONFIG, 0, CoreKeys.HTTP_PORT_CONFIG, 0,
                CoreKeys.STATE_DIR_CONFIG, stateDir.toString(), CoreKeys.DEMO_RATE_CONFIG, 0,
                LogsKeys.FLUSH_MAX_AGE_MS_CONFIG, 500L, LogsKeys.FLUSH_INTERVAL_MS_CONFIG, 200L));
        app = PipelineApplication.start(config, Pipelines.select(Set.of()), AppPlugins.INSTANCE);
        await().atMost(Duration.ofSeconds(90)).until(app::ready);
        topics = app.topics();
        registryUrl = app.config().getString(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG);
        registry = SchemaRegistryClients.create(Map.of(SchemaRegistryClients.SCHEMA_REGISTRY_URL, registryUrl));
    }

    @AfterAll
    void stopApp() {
        if (app != null) {
            app.close();
        }
        if (stateDir != null) {
            KafkaBrokerExtension.deleteRecursively(stateDir);
        }
    }

    @Test
    @Order(1)
    void shouldProcessEveryRecordOfInterleavedWriterVersionsWithoutDeadLetters() throws Exception {
        for (Schema s : List.of(LOG_V1, LOG_ADDED, LOG_REMOVED)) {
            logIds.add(registry.register(inputSubject(topics.logsRaw()), s));
        }
        for (Schema s : List.of(ORDER_V1, ORDER_ADDED, ORDER_REMOVED)) {
            orderIds.add(registry.register(inputSubject(topics.orders()), s));
        }
        assertThat(logIds).doesNotHaveDuplicates();
        assertThat(orderIds).doesNotHaveDuplicates();
        List<Schema> logSchemas = List.of(LOG_V1, LOG_ADDED, LOG_REMOVED);
        List<Schema> orderSchemas = List.of(ORDER_V1, ORDER_ADDED, ORDER_REMOVED);

        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < LOG_EVENTS; i++) {
                int v = i % 3;
                String service = "svc-" + (i % 5);
                producer.send(new ProducerRecord<>(topics.logsRaw(), bytes(service),
                        ConfluentWire.frame(logIds.get(v), logSchemas.get(v), logEvent(logSchemas.get(v), "e-" + i, service, now))));
            }
            // each order's events cross versions: CREATED on one, PAID on the next, SHIPPED on the third
            for (int step = 0; step < ORDER_STEPS.size(); step++) {
                for (int o = 0; o < ORDERS; o++) {
                    int v = (o + step) % 3;
                    producer.send(new ProducerRecord<>(topics.orders(), bytes("order-" + o), ConfluentWire.frame(orderIds.get(v),
                            orderSchemas.get(v), orderEvent(orderSchemas.get(v), "order-" + o, step, now + step * 10L))));
                }
            }
            producer.flush();
        }

        await("every log event in a batch").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(eventsInBatches()).isEqualTo(LOG_EVENTS));
        await("every order event judged").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    VerificationReport report = verifyOrders();
                    assertThat(report.ok()).as(report.summary() + " " + report.problems()).isTrue();
                    assertThat(report.inputRecords()).isEqualTo(ORDERS * ORDER_STEPS.size());
                    assertThat(report.undecodableInputs()).isZero();
                    assertThat(report.outputRecords()).isEqualTo(report.expectedResults()).isPositive();
                });
        assertThat(readAll(topics.dlq())).as("dead letters").isEmpty();

        assertThat(versions(inputSubject(topics.logsRaw()))).as("only the producers' versions").containsExactly(1, 2, 3);
        assertThat(versions(inputSubject(topics.orders()))).as("only the producers' versions").containsExactly(1, 2, 3);
        assertThat(registry.latest(inputSubject(topics.logsRaw())).id()).isEqualTo(logIds.get(2));
        assertThat(registry.latest(inputSubject(topics.orders())).id()).isEqualTo(orderIds.get(2));
        assertThat(registry.subjects()).as("the app registers only under its output subjects").containsExactlyInAnyOrder(
                inputSubject(topics.logsRaw()), inputSubject(topics.orders()),
                inputSubject(topics.logsAggregated()), inputSubject(topics.ordersProcessed()));
    }

    @Test
    @Order(2)
    void shouldRefuseIncompatibleWriterSchemasWith409() throws Exception {
        Schema levelAsString = replaceField(LOG_V1, new Schema.Field("level", Schema.create(Schema.Type.STRING)));
        Schema requiredWithoutDefault = withField(ORDER_V1, new Schema.Field("region", Schema.create(Schema.Type.STRING)));
        List<Integer> logsBefore = versions(inputSubject(topics.logsRaw()));
        List<Integer> ordersBefore = versions(inputSubject(topics.orders()));

        assertRefused(inputSubject(topics.logsRaw()), levelAsString);
        assertRefused(inputSubject(topics.orders()), requiredWithoutDefault);

        assertThat(versions(inputSubject(topics.logsRaw()))).isEqualTo(logsBefore);
        assertThat(versions(inputSubject(topics.orders()))).isEqualTo(ordersBefore);
    }

    @Test
    @Order(3)
    void shouldDeadLetterAnUnknownSchemaIdWithItsBytesAndKeepProcessing() throws Exception {
        int unknownId = 987_654;
        long now = System.currentTimeMillis();
        byte[] badLog = ConfluentWire.frame(unknownId, LOG_V1, logEvent(LOG_V1, "e-unknown", "svc-unknown", now));
        byte[] badOrder = ConfluentWire.frame(unknownId, ORDER_V1, orderEvent(ORDER_V1, "order-unknown", 0, now));
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.logsRaw(), bytes("svc-unknown"), badLog));
            producer.send(new ProducerRecord<>(topics.orders(), bytes("order-unknown"), badOrder));
            producer.send(new ProducerRecord<>(topics.logsRaw(), bytes("svc-after"),
                    ConfluentWire.frame(logIds.get(1), LOG_ADDED, logEvent(LOG_ADDED, "e-after", "svc-after", now))));
            producer.send(new ProducerRecord<>(topics.orders(), bytes("order-after"),
                    ConfluentWire.frame(orderIds.get(1), ORDER_ADDED, orderEvent(ORDER_ADDED, "order-after", 0, now))));
            producer.flush();
        }

        await("both in the DLQ").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<ConsumerRecord<byte[], byte[]>> dlq = readAll(topics.dlq());
            assertThat(dlq).hasSize(2);
            for (ConsumerRecord<byte[], byte[]> r : dlq) {
                boolean logs = "logs".equals(DeadLetters.header(r.headers(), DeadLetters.PIPELINE));
                assertThat(DeadLetters.header(r.headers(), DeadLetters.REASON)).isEqualTo(DropReason.DESERIALIZATION.label());
                assertThat(r.key()).isEqualTo(bytes(logs ? "svc-unknown" : "order-unknown"));
                assertThat(r.value()).as("the original bytes").isEqualTo(logs ? badLog : badOrder);
                assertThat(DeadLetters.header(r.headers(), DeadLetters.ATTEMPTS)).isNotBlank();
            }
            assertThat(dlq).extracting(r -> DeadLetters.header(r.headers(), DeadLetters.PIPELINE))
                    .containsExactlyInAnyOrder("logs", "orders");
        });
        await("the records after them processed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    assertThat(eventsInBatches()).isEqualTo(LOG_EVENTS + 1);
                    assertThat(readAll(topics.ordersProcessed())).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                            .contains("order-after");
                });
        assertThat(app.failure()).isNotDone();
        assertThat(app.streams().values()).allSatisfy(ks -> assertThat(ks.state()).isEqualTo(KafkaStreams.State.RUNNING));
    }

    private void assertRefused(String subject, Schema schema) throws Exception {
        String body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(registryUrl + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
        assertThat(JSON.readTree(response.body()).get("error_code").asInt()).isEqualTo(409);
    }

    private List<Integer> versions(String subject) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(registryUrl + "/subjects/" + subject + "/versions"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<Integer> out = new ArrayList<>();
        JSON.readTree(response.body()).forEach(n -> out.add(n.asInt()));
        return out;
    }

    private long eventsInBatches() {
        AvroSerde<LogBatch> batches = AvroSerde.configured(LogBatch.class, Map.of(SchemaRegistryClients.SCHEMA_REGISTRY_URL, registryUrl), false);
        return readAll(topics.logsAggregated()).stream().mapToLong(r -> batches.deserialize(r.topic(), r.value()).getCount()).sum();
    }

    private VerificationReport verifyOrders() {
        Map<String, Object> registryConfig = Map.of(SchemaRegistryClients.SCHEMA_REGISTRY_URL, registryUrl);
        return VerifierInputs.readAndVerify(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers()),
                topics.orders(), topics.ordersProcessed(), topics.dlq(), AvroSerde.configured(OrderEvent.class, registryConfig, false),
                AvroSerde.configured(OrderResult.class, registryConfig, false),
                OrdersVerifier.Rules.withPaymentTimeout(app.config().getLong(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG)),
                Duration.ofSeconds(30));
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        return TopicRecords.readAll(app.bootstrapServers(), topic, "read_committed");
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A log event with whichever fields this writer schema has. */
    private static GenericRecord logEvent(Schema schema, String id, String service, long now) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("eventId", id);
        r.put("timestamp", now);
        r.put("service", service);
        r.put("host", "host-1");
        r.put("level", new GenericData.EnumSymbol(schema.getField("level").schema(), "INFO"));
        r.put("message", "served " + id);
        r.put("attributes", Map.of("k", "v"));
        putIfPresent(r, "traceId", "trace-" + id);
        putIfPresent(r, "region", "eu-west-1");
        return r;
    }

    private static GenericRecord orderEvent(Schema schema, String orderId, int step, long timestamp) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("eventId", orderId + "-" + step);
        r.put("orderId", orderId);
        r.put("customerId", "customer-" + orderId);
        r.put("type", new GenericData.EnumSymbol(schema.getField("type").schema(), ORDER_STEPS.get(step)));
        r.put("amountCents", 1_000L + orderId.hashCode() % 100);
        r.put("currency", "EUR");
        r.put("timestamp", timestamp);
        putIfPresent(r, "channel", "web");
        putIfPresent(r, "couponCode", "SPRING");
        return r;
    }

    private static void putIfPresent(GenericRecord r, String field, Object value) {
        if (r.getSchema().getField(field) != null) {
            r.put(field, value);
        }
    }

    private static String inputSubject(String topic) {
        return topic + "-value";
    }

    private static Schema withOptional(Schema base, String name) {
        return withField(base, new Schema.Field(name, Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), null, Schema.Field.NULL_DEFAULT_VALUE));
    }

    private static Schema withField(Schema base, Schema.Field added) {
        List<Schema.Field> fields = copy(base, null);
        fields.add(added);
        return record(base, fields);
    }

    private static Schema without(Schema base, String name) {
        return record(base, copy(base, name));
    }

    private static Schema replaceField(Schema base, Schema.Field replacement) {
        List<Schema.Field> fields = copy(base, null);
        fields.replaceAll(f -> f.name().equals(replacement.name()) ? replacement : f);
        return record(base, fields);
    }

    private static List<Schema.Field> copy(Schema base, String skip) {
        List<Schema.Field> fields = new ArrayList<>();
        base.getFields().stream().filter(f -> !f.name().equals(skip)).forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        return fields;
    }

    private static Schema record(Schema base, List<Schema.Field> fields) {
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
