package dev.pipeline.orders;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.PipelineStreamsConfig;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.SchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import dev.pipeline.schema.OrderResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/** The orders topology in a TopologyTestDriver with an in-memory ({@code mock://}) schema registry. */
final class OrdersDriver implements AutoCloseable {
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    final PipelineMetrics metrics = PipelineMetrics.inMemory();
    final OrdersPipeline pipeline;
    final TopologyTestDriver driver;
    final TestInputTopic<String, OrderEvent> input;
    final TestOutputTopic<String, OrderResult> results;
    final TestOutputTopic<byte[], byte[]> dlq;
    final Serde<OrderEvent> eventSerde;
    private final String registryScope = "orders-test-" + UUID.randomUUID();
    private final String topicName;

    OrdersDriver(Path stateDir, Map<String, ?> overrides) {
        this(stateDir, overrides, null);
    }

    /** With the authorizer every task gets when {@code orders.authorization.url} is set (null: HTTP). */
    OrdersDriver(Path stateDir, Map<String, ?> overrides, Authorizer authorizer) {
        PipelineConfig config = PipelineConfig.defaults().with(overrides);
        SerdeFactory serdes = SerdeFactory.mock(registryScope);
        Topics topics = Topics.from(config);
        topicName = topics.orders();
        pipeline = OrdersPipeline.create(new PipelineContext(config, topics, serdes, metrics),
                authorizer == null ? null : task -> authorizer);
        eventSerde = serdes.valueSerde(OrderEvent.class);
        Properties props = PipelineStreamsConfig.of(pipeline, config, metrics, Map.of(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092", StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()));
        driver = new TopologyTestDriver(pipeline.topology(), props, START);
        input = driver.createInputTopic(topics.orders(), new StringSerializer(), eventSerde.serializer());
        results = driver.createOutputTopic(topics.ordersProcessed(), new StringDeserializer(),
                serdes.valueSerde(OrderResult.class).deserializer());
        dlq = driver.createOutputTopic(topics.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static OrderEvent event(String eventId, String orderId, OrderEventType type) {
        return OrderEvent.newBuilder().setEventId(eventId).setOrderId(orderId).setCustomerId("customer-1")
                .setType(type).setAmountCents(1_250).setCurrency("EUR").setTimestamp(START).build();
    }

    /** Pipes an event keyed by its orderId at {@code START + offsetMs} of record time. */
    void send(OrderEvent e, long offsetMs) {
        input.pipeInput(e.getOrderId(), e, START.toEpochMilli() + offsetMs);
    }

    /** Fires the wall-clock maintenance punctuator once (advances the driver's wall clock by one interval). */
    void tick() {
        driver.advanceWallClockTime(pipeline.settings().maintenanceInterval());
    }

    void advanceWallClock(Duration d) {
        driver.advanceWallClockTime(d);
    }

    List<OrderResult> readResults() {
        return results.readValuesToList();
    }

    List<TestRecord<byte[], byte[]>> readDlq() {
        return dlq.readRecordsToList();
    }

    static String reason(TestRecord<byte[], byte[]> r) {
        return DeadLetters.header(r.headers(), DeadLetters.REASON);
    }

    KeyValueStore<String, OrderState> ordersStore() {
        return driver.getKeyValueStore(OrdersPipeline.ORDERS_STORE);
    }

    /** Entries of a store, counted by iterating it (the exact figure, unlike the gauge's estimate). */
    long count(String store) {
        long n = 0;
        try (var it = driver.<Object, Object>getKeyValueStore(store).all()) {
            for (; it.hasNext(); it.next()) {
                n++;
            }
        }
        return n;
    }

    /** The driver's schema registry (the same {@code mock://} scope the pipeline's serdes use). */
    SchemaRegistryClient registry() {
        return SchemaRegistryClients.mock(registryScope);
    }

    /** The input topic as raw bytes, for records written by another producer's serializer. */
    TestInputTopic<String, byte[]> rawInput() {
        return driver.createInputTopic(topicName, new StringSerializer(),
                new ByteArraySerializer());
    }

    /** The conservation terms of /api/status (needs a conservation tick first). */
    @SuppressWarnings("unchecked")
    Map<String, Object> conservation() {
        return (Map<String, Object>) pipeline.status().get("conservation");
    }

    /** A gauge or counter of this driver's registry, for the orders pipeline. */
    double meter(String name) {
        var m = metrics.registry().find(name).tag(dev.pipeline.observe.MetricNames.TAG_PIPELINE, OrdersPipeline.NAME).meter();
        return m == null ? Double.NaN : m.measure().iterator().next().getValue();
    }

    double duplicatesCounted() {
        return metrics.duplicates(OrdersPipeline.NAME).count();
    }

    @Override
    public void close() {
        driver.close();
        SchemaRegistryClients.dropMock(registryScope);
    }
}
