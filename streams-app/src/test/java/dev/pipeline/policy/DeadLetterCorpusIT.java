package dev.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.InMemorySchemaRegistryClient;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.load.BadRecordCorpus;
import dev.pipeline.load.BadRecordCorpus.Entry;
import dev.pipeline.load.BadRecordCorpus.Target;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.StreamsApps;
import dev.pipeline.testing.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The policy layer end to end on a real broker, with the app's Avro serde, Kafka Streams'
 * native DLQ under exactly-once and the corpus of bad input for both input topics interleaved
 * with valid records: every bad record lands in the DLQ with its expected reason, every valid one
 * comes out, the app stays RUNNING, and input = ledger in + dead-lettered.
 *
 * <p>The topology is a validating pass-through standing in for the real pipelines; the real
 * pipelines' corpus test is {@code BadInputCorpusIT}.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class DeadLetterCorpusIT {
    private static final String PIPELINE = "it";

    private final List<KafkaStreams.State> states = new CopyOnWriteArrayList<>();
    private final PipelineMetrics metrics = PipelineMetrics.inMemory();
    private final ConservationStatus status = new ConservationStatus();
    private final StreamsApps apps = new StreamsApps("dlq-corpus-it-");

    @AfterEach
    void close() {
        apps.close();
    }

    @Test
    void shouldDeadLetterEveryCorpusRecordWithItsReasonAndProcessEveryValidOne(TestBroker broker) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Topics topics = new Topics("logs-raw-" + run, "logs-out-" + run, "orders-" + run, "orders-out-" + run, "dlq-" + run);
        StreamsApps.createTopics(broker, 2, topics.all());
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        PipelineConfig config = PipelineConfig.defaults().with(Map.of("topic.dlq", topics.dlq(),
                "conservation.check.interval.ms", 200));
        KafkaStreams streams = start(broker, topics, registry, config);

        long now = System.currentTimeMillis();
        List<Entry> corpus = BadRecordCorpus.all(topics, registry::register, now);
        AvroSerde<LogEvent> logs = new AvroSerde<>(registry, LogEvent.class);
        AvroSerde<OrderEvent> orders = new AvroSerde<>(registry, OrderEvent.class);
        Set<String> validIds = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (Entry e : corpus) {
                String topic = e.target().topic(topics);
                producer.send(new ProducerRecord<>(topic, e.key(), e.value()));
                String id = "valid-" + i++;
                byte[] value = e.target() == Target.LOGS_RAW
                        ? logs.serialize(topic, BadRecordCorpus.validLogEvent(id, "svc-" + id, now))
                        : orders.serialize(topic, BadRecordCorpus.validOrderEvent(id, "order-" + id, now));
                String key = e.target() == Target.LOGS_RAW ? "svc-" + id : "order-" + id;
                producer.send(new ProducerRecord<>(topic, key.getBytes(), value));
                validIds.add(id);
            }
            producer.flush();
        }

        Map<String, String> reasonByName = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
        Set<String> emitted = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(broker)) {
            consumer.subscribe(List.of(topics.dlq(), topics.logsAggregated(), topics.ordersProcessed()));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(topics.dlq())) {
                        deadLetters.add(r);
                    } else {
                        emitted.add(new String(r.value()));
                    }
                }
                return deadLetters.size() >= corpus.size() && emitted.size() >= validIds.size();
            });
        }

        assertThat(emitted).isEqualTo(validIds);
        assertThat(deadLetters).hasSize(corpus.size());
        for (ConsumerRecord<byte[], byte[]> r : deadLetters) {
            assertThat(DeadLetters.header(r.headers(), DeadLetters.PIPELINE)).isEqualTo(PIPELINE);
            assertThat(DeadLetters.header(r.headers(), DeadLetters.ATTEMPTS)).isEqualTo("1");
            assertThat(r.headers().lastHeader("__streams.errors.exception")).isNotNull();
            Entry e = corpus.stream().filter(c -> sameBytes(c, r)).findFirst().orElseThrow(
                    () -> new AssertionError("DLQ record matches no corpus entry: " + r));
            reasonByName.put(e.target() + "/" + e.name(), DeadLetters.header(r.headers(), DeadLetters.REASON));
        }
        Map<String, String> expected = new HashMap<>();
        corpus.forEach(e -> expected.put(e.target() + "/" + e.name(), e.expected().label()));
        assertThat(reasonByName).isEqualTo(expected);

        long deser = corpus.stream().filter(e -> e.expected() == DropReason.DESERIALIZATION).count();
        assertThat(metrics.deadLettered(PIPELINE, DropReason.DESERIALIZATION.label()).count()).isEqualTo(deser);
        assertThat(metrics.deadLettered(PIPELINE, DropReason.PROCESSING.label()).count()).isEqualTo(corpus.size() - deser);
        assertThat(states).doesNotContain(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR);
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);

        // input = ledger in + dead-lettered by the handlers; the ledger's own equation holds
        await().atMost(Duration.ofSeconds(30)).until(() -> status.summary(PIPELINE).total().in() == validIds.size());
        ConservationStatus.Summary summary = status.summary(PIPELINE);
        assertThat(summary.holds()).isTrue();
        assertThat(summary.total().in() + deadLetters.size()).isEqualTo(2L * corpus.size());
        assertThat(summary.violations()).isZero();
    }

    /** The DLQ holds the original bytes, so a record is identified by its key and value. */
    private static boolean sameBytes(Entry e, ConsumerRecord<byte[], byte[]> r) {
        return java.util.Arrays.equals(e.key(), r.key()) && java.util.Arrays.equals(e.value(), r.value());
    }

    private KafkaStreams start(TestBroker broker, Topics topics, InMemorySchemaRegistryClient registry, PipelineConfig config) {
        Topology t = new Topology();
        t.addSource("logs-source", Serdes.String().deserializer(), new AvroSerde<>(registry, LogEvent.class), topics.logsRaw());
        t.addProcessor("logs-validate", () -> new Validating<LogEvent>("logs", config, (v, rules) -> {
            rules.requireText("eventId", v.getEventId());
            rules.requireText("host", v.getHost());
            rules.requireLength("message", v.getMessage());
            rules.requireTimestamp("timestamp", v.getTimestamp().toEpochMilli(), System.currentTimeMillis());
            return v.getService();
        }, LogEvent::getEventId), "logs-source");
        t.addStateStore(Ledger.storeBuilder(PIPELINE + "-logs"), "logs-validate");
        t.addSink("logs-sink", topics.logsAggregated(), Serdes.String().serializer(), Serdes.String().serializer(), "logs-validate");

        t.addSource("orders-source", Serdes.String().deserializer(), new AvroSerde<>(registry, OrderEvent.class), topics.orders());
        t.addProcessor("orders-validate", () -> new Validating<OrderEvent>("orders", config, (v, rules) -> {
            rules.requireText("eventId", v.getEventId());
            rules.requireText("customerId", v.getCustomerId());
            rules.requireText("currency", v.getCurrency());
            rules.require(v.getAmountCents() >= 0, "negative amountCents");
            rules.requireTimestamp("timestamp", v.getTimestamp().toEpochMilli(), System.currentTimeMillis());
            return v.getOrderId();
        }, OrderEvent::getEventId), "orders-source");
        t.addStateStore(Ledger.storeBuilder(PIPELINE + "-orders"), "orders-validate");
        t.addSink("orders-sink", topics.ordersProcessed(), Serdes.String().serializer(), Serdes.String().serializer(), "orders-validate");

        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dlq-corpus-it-" + UUID.randomUUID());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, apps.stateDir().toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.putAll(ExceptionHandling.streamsProperties(PIPELINE, config, metrics));
        KafkaStreams ks = apps.track(new KafkaStreams(t, props));
        ks.setStateListener((now, before) -> states.add(now));
        ks.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> ks.state() == KafkaStreams.State.RUNNING);
        return ks;
    }

    private KafkaConsumer<byte[], byte[]> consumer(TestBroker broker) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlq-corpus-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Validation of the input contract, then the record counts as in and its event id goes out. */
    @FunctionalInterface
    interface Rules<V> {
        /** Applies the value's own rules and returns the id the key must equal. */
        String check(V value, InputValidation rules);
    }

    private final class Validating<V> implements Processor<String, V, String, String> {
        private final String store;
        private final InputValidation rules;
        private final Rules<V> valueRules;
        private final java.util.function.Function<V, String> eventId;
        private final ConservationCheck check = new ConservationCheck(PIPELINE, metrics, status);
        private final long interval;
        private ProcessorContext<String, String> context;
        private Ledger ledger;
        private Cancellable ticker;

        Validating(String name, PipelineConfig config, Rules<V> valueRules, java.util.function.Function<V, String> eventId) {
            this.store = PIPELINE + "-" + name;
            this.rules = InputValidation.from(config);
            this.valueRules = valueRules;
            this.eventId = eventId;
            this.interval = config.getInt("conservation.check.interval.ms");
        }

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.ledger = new Ledger(context.getStateStore(Ledger.storeName(store)));
            this.ticker = check.schedule(context, Duration.ofMillis(interval), ledger, () -> 0L);
        }

        @Override
        public void process(Record<String, V> record) {
            V v = record.value();
            rules.requireKeyed(record.key(), v, v == null ? null : valueRules.check(v, rules));
            ledger.in(1);
            context.forward(new Record<>(record.key(), eventId.apply(v), record.timestamp()));
            ledger.out(1);
        }

        @Override
        public void close() {
            ticker.cancel();
            check.forget(context.taskId().toString());
        }
    }
}
