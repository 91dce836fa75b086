package dev.pipeline.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class LagMonitorIT {
    /** 3-sample window so STALL shows after three samples; STOP far away unless a test wants it. */
    private static final LagSettings STEPPED = new LagSettings(Duration.ofMillis(200), 3, Duration.ofMinutes(5),
            Duration.ofSeconds(2), 16);

    @Test
    void shouldReportLagInRecordsAndSecondsThenHalfAfterCommitThenStall(TestBroker broker) throws Exception {
        createTopic(broker, "lag-a", 2);
        produce(broker, "lag-a", 10_000, 2);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (LagMonitor monitor = new LagMonitor(client(broker), List.of(LagTarget.of("g-a", "lag-a")), STEPPED)) {
            monitor.bindTo(registry);

            GroupLag before = monitor.refreshNow().group("g-a").orElseThrow();
            assertThat(before.totalLag()).isEqualTo(10_000);
            assertThat(before.partitions()).hasSize(2).allSatisfy(p -> {
                assertThat(p.committedOffset()).isNull();
                assertThat(p.lag()).isEqualTo(5_000);
                assertThat(p.lagSeconds()).isNotNull().isGreaterThan(0.0);
            });
            assertThat(before.status()).isEqualTo(LagStatus.OK);

            consumeAndCommit(broker, "g-a", "lag-a", 2, 2_500);

            GroupLag half = monitor.refreshNow().group("g-a").orElseThrow();
            assertThat(half.totalLag()).isEqualTo(5_000);
            assertThat(half.partitions()).allSatisfy(p -> {
                assertThat(p.committedOffset()).isEqualTo(2_500L);
                assertThat(p.endOffset()).isEqualTo(5_000L);
                assertThat(p.lagSeconds()).isNotNull().isGreaterThan(0.0);
            });
            assertThat(half.status()).as("offset just moved").isEqualTo(LagStatus.OK);
            assertThat(registry.scrape()).contains(
                    "pipeline_consumer_lag_records{group=\"g-a\",partition=\"0\",topic=\"lag-a\"} 2500.0",
                    "pipeline_consumer_lag_seconds{group=\"g-a\",partition=\"1\",topic=\"lag-a\"}");

            monitor.refreshNow();
            GroupLag stalled = monitor.refreshNow().group("g-a").orElseThrow();
            assertThat(stalled.status()).as("committed offset flat across a full window with lag > 0")
                    .isEqualTo(LagStatus.STALL);
            assertThat(stalled.partitions()).extracting(PartitionLag::status).containsOnly(LagStatus.STALL);
            assertThat(registry.scrape()).contains("pipeline_consumer_lag_status{group=\"g-a\"} 2.0");
        }
    }

    @Test
    void shouldStopWhenNoCommitMovesTheOffsetForStopAfter(TestBroker broker) throws Exception {
        createTopic(broker, "lag-b", 1);
        produce(broker, "lag-b", 100, 1);
        consumeAndCommit(broker, "g-b", "lag-b", 1, 40);
        LagSettings settings = new LagSettings(Duration.ofMillis(200), 1_000, Duration.ofMillis(1_500), Duration.ofSeconds(2), 16);
        try (LagMonitor monitor = new LagMonitor(client(broker), List.of(LagTarget.of("g-b", "lag-b")), settings)) {
            monitor.start();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(monitor.snapshot().group("g-b")).hasValueSatisfying(g -> {
                        assertThat(g.status()).isEqualTo(LagStatus.STOP);
                        assertThat(g.totalLag()).isEqualTo(60);
                    }));
        }
    }

    @Test
    void shouldCountOnlyTransactionMarkerLeftAsCaughtUp(TestBroker broker) throws Exception {
        createTopic(broker, "lag-tx", 1);
        Map<String, Object> p = new HashMap<>(client(broker));
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lag-tx-producer");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("lag-tx", "k", "v" + i));
            }
            producer.commitTransaction();
        }
        // committed = last record + 1 = 10, end = 11 (the commit marker): one offset of "lag", no data
        commit(broker, "g-tx", Map.of(new TopicPartition("lag-tx", 0), 10L));
        try (LagMonitor monitor = new LagMonitor(client(broker), List.of(LagTarget.of("g-tx", "lag-tx")), STEPPED)) {
            for (int i = 0; i < 4; i++) {
                monitor.refreshNow();
            }
            GroupLag g = monitor.snapshot().group("g-tx").orElseThrow();
            assertThat(g.partitions()).singleElement().satisfies(part -> {
                assertThat(part.lag()).isEqualTo(1);
                assertThat(part.lagSeconds()).isEqualTo(0.0);
                assertThat(part.status()).isEqualTo(LagStatus.OK);
            });
        }
    }

    @Test
    void shouldReportErrWhileBrokerIsDownAndRecoverWithoutLeakingThreads(TestBroker broker) throws Exception {
        createTopic(broker, "lag-c", 1);
        produce(broker, "lag-c", 10, 1);
        consumeAndCommit(broker, "g-c", "lag-c", 1, 5);
        LagSettings settings = new LagSettings(Duration.ofMillis(200), 3, Duration.ofMinutes(5), Duration.ofSeconds(1), 16);
        LagMonitor monitor = new LagMonitor(client(broker), List.of(LagTarget.of("g-c", "lag-c")), settings);
        boolean stopped = false;
        try {
            monitor.start();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(monitor.snapshot().group("g-c")).hasValueSatisfying(g -> {
                        assertThat(g.status()).isNotEqualTo(LagStatus.ERR);
                        assertThat(g.totalLag()).isEqualTo(5);
                    }));

            broker.stop();
            stopped = true;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(monitor.snapshot().group("g-c")).hasValueSatisfying(g -> {
                        assertThat(g.status()).isEqualTo(LagStatus.ERR);
                        assertThat(g.error()).isNotBlank();
                        assertThat(g.totalLag()).as("last known lag kept").isEqualTo(5);
                        assertThat(g.partitions()).extracting(PartitionLag::status).containsOnly(LagStatus.ERR);
                    }));
            assertThatCode(monitor::refreshNow).doesNotThrowAnyException();
            assertThat(threadsNamed(LagMonitor.CLIENT_ID)).as("sampling thread alive").isNotEmpty();

            broker.restart();
            stopped = false;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(monitor.snapshot().group("g-c")).hasValueSatisfying(g -> {
                        assertThat(g.status()).isNotEqualTo(LagStatus.ERR);
                        assertThat(g.error()).isNull();
                        assertThat(g.totalLag()).isEqualTo(5);
                    }));
        } finally {
            monitor.close();
            if (stopped) {
                broker.restart();
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(threadsNamed(LagMonitor.CLIENT_ID)).as("threads left after close()").isEmpty());
    }

    static List<String> threadsNamed(String part) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.contains(part)).toList();
    }

    static Map<String, Object> client(TestBroker broker) {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    static void createTopic(TestBroker broker, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(client(broker))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    /** {@code count} records spread evenly over the partitions. */
    static void produce(TestBroker broker, String topic, int count, int partitions) throws Exception {
        Map<String, Object> p = new HashMap<>(client(broker));
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    /** Reads the first {@code perPartition} records of each partition as group {@code group} and commits after them. */
    static void consumeAndCommit(TestBroker broker, String group, String topic, int partitions, long perPartition) {
        Map<String, Object> p = new HashMap<>(client(broker));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<TopicPartition, Long> read = new HashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = java.util.stream.IntStream.range(0, partitions)
                    .mapToObj(i -> new TopicPartition(topic, i)).toList();
            c.assign(tps);
            tps.forEach(tp -> read.put(tp, 0L));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.values().stream().anyMatch(n -> n < perPartition) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    read.merge(tp, r.offset() < perPartition ? 1L : 0L, Long::sum);
                }
            }
            assertThat(read.values()).allMatch(n -> n >= perPartition);
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            tps.forEach(tp -> offsets.put(tp, new OffsetAndMetadata(perPartition)));
            c.commitSync(offsets);
        }
    }

    static void commit(TestBroker broker, String group, Map<TopicPartition, Long> offsets) {
        Map<String, Object> p = new HashMap<>(client(broker));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
            offsets.forEach((tp, o) -> m.put(tp, new OffsetAndMetadata(o)));
            c.commitSync(m);
        }
    }
}
