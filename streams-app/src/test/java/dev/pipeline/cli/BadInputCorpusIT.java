package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.app.PipelineApplication;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.SchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.load.BadRecordCorpus;
import dev.pipeline.load.BadRecordCorpus.Entry;
import dev.pipeline.load.BadRecordCorpus.Target;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.testing.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bad-input corpus against the real pipelines ({@code run} in-process, embedded broker and
 * registry): every corpus record, sent as raw bytes between valid ones, ends in the dead-letter
 * topic with its expected reason and its pipeline; every valid record comes out; both pipelines
 * stay RUNNING; each pipeline's conservation check holds.
 */
@Tag("integration")
class BadInputCorpusIT {
    private Path stateDir;
    private PipelineApplication app;

    @AfterEach
    void cleanUp() {
        if (app != null) {
            app.close();
        }
        if (stateDir != null) {
            KafkaBrokerExtension.deleteRecursively(stateDir);
        }
    }

    @Test
    void shouldDeadLetterEveryBadRecordWithItsReasonAndKeepProcessing() throws Exception {
        stateDir = Files.createTempDirectory("bad-input-corpus-");
        PipelineConfig config = PipelineConfig.defaults().with(Map.of(
                CoreKeys.EMBEDDED_BROKER_PORT_CONFIG, 0, CoreKeys.HTTP_PORT_CONFIG, 0,
                CoreKeys.STATE_DIR_CONFIG, stateDir.toString(), CoreKeys.DEMO_RATE_CONFIG, 0,
                "conservation.check.interval.ms", 500));
        app = PipelineApplication.start(config, Pipelines.select(Set.of()), AppPlugins.INSTANCE);
        await().atMost(Duration.ofSeconds(90)).until(app::ready);

        Topics topics = app.topics();
        Map<String, Object> registryConfig = Map.of(SchemaRegistryClients.SCHEMA_REGISTRY_URL,
                app.config().getString(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG));
        SchemaRegistryClient registry = SchemaRegistryClients.create(registryConfig);
        long now = System.currentTimeMillis();
        List<Entry> corpus = BadRecordCorpus.all(topics, registry::register, now);
        AvroSerde<LogEvent> logs = AvroSerde.configured(LogEvent.class, registryConfig, false);
        AvroSerde<OrderEvent> orders = AvroSerde.configured(OrderEvent.class, registryConfig, false);

        Map<String, Entry> bySource = new HashMap<>();
        Set<String> validServices = new HashSet<>();
        Set<String> validOrders = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (Entry e : corpus) {
                String topic = e.target().topic(topics);
                RecordMetadata m = producer.send(new ProducerRecord<>(topic, e.key(), e.value())).get();
                bySource.put(m.topic() + "/" + m.partition() + "/" + m.offset(), e);
                String id = "valid-" + i++;
                if (e.target() == Target.LOGS_RAW) {
                    String service = "svc-" + id;
                    producer.send(new ProducerRecord<>(topic, bytes(service),
                            logs.serialize(topic, BadRecordCorpus.validLogEvent(id, service, now))));
                    validServices.add(service);
                } else {
                    String order = "order-" + id;
                    producer.send(new ProducerRecord<>(topic, bytes(order),
                            orders.serialize(topic, BadRecordCorpus.validOrderEvent(id, order, now))));
                    validOrders.add(order);
                }
            }
            producer.flush();
        }

        Outcomes seen = new Outcomes(topics, registryConfig);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "bad-input-corpus-it", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.dlq(), topics.logsAggregated(), topics.ordersProcessed()));
            // first every valid record out (the pipelines got that far), then every bad one in the DLQ
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                seen.drain(consumer);
                return seen.eventsByService.keySet().containsAll(validServices) && seen.ordersOut.containsAll(validOrders);
            });
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                seen.drain(consumer);
                Map<String, String> wrong = new TreeMap<>();
                bySource.forEach((source, e) -> {
                    String got = seen.reasons.get(source);
                    String pipeline = seen.pipelines.get(source);
                    String want = e.target() == Target.LOGS_RAW ? "logs" : "orders";
                    if (!e.expected().label().equals(got) || !want.equals(pipeline)) {
                        wrong.put(e.toString(), got == null ? "not in the DLQ" : got + " by " + pipeline);
                    }
                });
                assertThat(wrong).as("corpus records without their expected DLQ reason").isEmpty();
            });
        }

        validServices.forEach(s -> assertThat(seen.eventsByService.get(s)).as(s).isEqualTo(1L));
        assertThat(app.failure()).isNotDone();
        assertThat(app.streams().values()).allSatisfy(ks -> assertThat(ks.state()).isEqualTo(KafkaStreams.State.RUNNING));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (StreamsPipeline p : app.pipelines().values()) {
                Object conservation = p.status().get("conservation");
                assertThat(conservation).as(p.name() + " status has a conservation check").isInstanceOf(Map.class);
                assertThat(((Map<?, ?>) conservation).get("holds")).as(p.name() + " conservation " + conservation)
                        .isEqualTo(Boolean.TRUE);
            }
        });
    }

    /** What came out: DLQ reasons and pipelines by source topic/partition/offset, and the valid records' outputs. */
    private static final class Outcomes {
        final Map<String, String> reasons = new HashMap<>();
        final Map<String, String> pipelines = new HashMap<>();
        final Map<String, Long> eventsByService = new HashMap<>();
        final Set<String> ordersOut = new HashSet<>();
        private final Topics topics;
        private final AvroSerde<LogBatch> batches;
        private final AvroSerde<OrderResult> results;

        Outcomes(Topics topics, Map<String, Object> registryConfig) {
            this.topics = topics;
            this.batches = AvroSerde.configured(LogBatch.class, registryConfig, false);
            this.results = AvroSerde.configured(OrderResult.class, registryConfig, false);
        }

        void drain(KafkaConsumer<byte[], byte[]> consumer) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.topic().equals(topics.dlq())) {
                    String source = DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC) + "/"
                            + DeadLetters.header(r.headers(), DeadLetters.SOURCE_PARTITION) + "/"
                            + DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET);
                    reasons.put(source, DeadLetters.header(r.headers(), DeadLetters.REASON));
                    pipelines.put(source, DeadLetters.header(r.headers(), DeadLetters.PIPELINE));
                } else if (r.topic().equals(topics.logsAggregated())) {
                    LogBatch b = batches.deserialize(r.topic(), r.value());
                    eventsByService.merge(b.getService(), b.getCount(), Long::sum);
                } else {
                    ordersOut.add(results.deserialize(r.topic(), r.value()).getOrderId());
                }
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
