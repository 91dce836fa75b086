package dev.pipeline.logs;

import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import dev.pipeline.testing.HttpRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the logs integration tests share on a real broker: the topics, a schema registry served
 * over HTTP (so a child JVM and this one agree on ids), a producer of numbered events, and a
 * tally of everything that came out ({@code logs-aggregated} and the DLQ).
 */
final class LogsKafka implements AutoCloseable {
    static final int PARTITIONS = 4;
    final int partitions;
    final String bootstrap;
    final Topics topics;
    private final HttpRegistry registry;
    final String registryUrl;
    final Map<String, Object> serdeConfig;

    LogsKafka(String bootstrap) throws InterruptedException, ExecutionException {
        this(bootstrap, Topics.defaults());
    }

    /** With its own topic names, so tests sharing a broker do not see each other's records. */
    LogsKafka(String bootstrap, Topics topics) throws InterruptedException, ExecutionException {
        this(bootstrap, topics, PARTITIONS);
    }

    LogsKafka(String bootstrap, Topics topics, int partitions) throws InterruptedException, ExecutionException {
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.partitions = partitions;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            for (String t : List.of(topics.logsRaw(), topics.logsAggregated(), topics.dlq())) {
                try {
                    admin.createTopics(List.of(new NewTopic(t, partitions, (short) 1))).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        registry = new HttpRegistry(bootstrap);
        registryUrl = registry.url();
        serdeConfig = Map.of(SchemaRegistryClients.SCHEMA_REGISTRY_URL, registryUrl);
    }

    static String service(int i, int services) {
        return "svc-" + (i % services);
    }

    /** Topic names with a prefix (the config keys that name them, for the app's config). */
    static Topics prefixed(String prefix) {
        return new Topics(prefix + "-logs-raw", prefix + "-logs-aggregated", prefix + "-orders",
                prefix + "-orders-processed", prefix + "-dlq");
    }

    static Map<String, Object> topicConfig(Topics t) {
        return Map.of("topic.logs.raw", t.logsRaw(), "topic.logs.aggregated", t.logsAggregated(),
                "topic.orders", t.orders(), "topic.orders.processed", t.ordersProcessed(), "topic.dlq", t.dlq());
    }

    /** Produces events {@code from..to-1} (ids {@code e-<i>}, keys {@code svc-<i % services>}), timestamps now. */
    void produce(int from, int to, int services) throws Exception {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, LogEvent> producer = new KafkaProducer<>(props, new StringSerializer(),
                AvroSerde.configured(LogEvent.class, serdeConfig, false))) {
            LogLevel[] levels = LogLevel.values();
            for (int i = from; i < to; i++) {
                String svc = service(i, services);
                Instant now = Instant.now();
                LogEvent e = LogEvent.newBuilder().setEventId("e-" + i).setTimestamp(now).setService(svc)
                        .setHost("host-" + (i % 7)).setLevel(levels[i % levels.length])
                        .setMessage("request " + i + " served in " + (i % 500) + " ms").build();
                producer.send(new ProducerRecord<>(topics.logsRaw(), null, now.toEpochMilli(), svc, e));
            }
            producer.flush();
        }
    }

    /** Sum over the input's partitions of the offsets the pipeline's group committed: records consumed for good. */
    long committedInput(String groupId) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topics.logsRaw()) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    Tally tally() {
        return new Tally();
    }

    @Override
    public void close() {
        registry.close();
    }

    /** Reads both output topics from the beginning, keeping running totals. Single-threaded. */
    final class Tally implements AutoCloseable {
        private final KafkaConsumer<String, LogBatch> batches;
        private final KafkaConsumer<byte[], byte[]> dlq;
        final Map<String, Long> countByService = new TreeMap<>();
        final Map<String, Long> dlqByReason = new TreeMap<>();
        final Map<String, Long> dlqByService = new TreeMap<>();
        long batchCount;
        long eventsInBatches;
        long dlqRecords;

        private Tally() {
            Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
            batches = new KafkaConsumer<>(props, new StringDeserializer(),
                    AvroSerde.configured(LogBatch.class, serdeConfig, false));
            dlq = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            assignFromStart(batches, topics.logsAggregated());
            assignFromStart(dlq, topics.dlq());
        }

        private void assignFromStart(KafkaConsumer<?, ?> c, String topic) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
        }

        /** Reads what has arrived; returns events in batches plus logs DLQ records so far. */
        long poll() {
            for (ConsumerRecord<String, LogBatch> r : batches.poll(Duration.ofMillis(100))) {
                batchCount++;
                eventsInBatches += r.value().getCount();
                countByService.merge(r.key(), r.value().getCount(), Long::sum);
            }
            for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(50))) {
                if ("logs".equals(DeadLetters.header(r.headers(), DeadLetters.PIPELINE))) {
                    dlqRecords++;
                    dlqByReason.merge(DeadLetters.header(r.headers(), DeadLetters.REASON), 1L, Long::sum);
                    dlqByService.merge(r.key() == null ? "" : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
                            1L, Long::sum);
                }
            }
            return eventsInBatches + dlqRecords;
        }

        /** Services whose batches and dead letters account for fewer events than were produced for them. */
        Set<String> servicesShortOf(int produced, int services) {
            return java.util.stream.IntStream.range(0, services).mapToObj(i -> "svc-" + i)
                    .filter(s -> countByService.getOrDefault(s, 0L) + dlqByService.getOrDefault(s, 0L)
                            < expected(s, produced, services))
                    .collect(Collectors.toCollection(java.util.TreeSet::new));
        }

        private long expected(String svc, int produced, int services) {
            int i = Integer.parseInt(svc.substring(4));
            return produced / services + (i < produced % services ? 1 : 0);
        }

        @Override
        public void close() {
            batches.close();
            dlq.close();
        }
    }
}
