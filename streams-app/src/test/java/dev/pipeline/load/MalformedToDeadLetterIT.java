package dev.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.PipelineStreamsConfig;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.bench.PipelineRef;
import dev.pipeline.cli.Main;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.TopicReadiness;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import dev.pipeline.testing.TopicRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code produce --malformed} against the real pipeline: every malformed record it sends ends in
 * the dead-letter topic with reason {@code deserialization} or {@code processing}.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class MalformedToDeadLetterIT {
    private static final String SCOPE = "malformed-dlq-it";
    private static final Set<String> BAD_INPUT_REASONS = Set.of(DropReason.DESERIALIZATION.label(), DropReason.PROCESSING.label());

    @AfterAll
    static void dropRegistry() {
        SchemaRegistryClients.dropMock(SCOPE);
    }

    @ParameterizedTest
    @EnumSource(LoadKind.class)
    void shouldRouteEveryMalformedRecordToTheDeadLetterTopic(LoadKind kind, TestBroker broker, @TempDir Path dir) throws Exception {
        PipelineRef ref = kind == LoadKind.LOGS ? PipelineRef.LOGS : PipelineRef.ORDERS;

        String p = "dlq-it-" + kind.label() + "-";
        Topics topics = new Topics(p + "logs-raw", p + "logs-aggregated", p + "orders", p + "orders-processed", p + "dlq");
        PipelineConfig config = PipelineConfig.defaults().with(Map.of(
                "bootstrap.servers", broker.bootstrapServers(), "schema.registry.url", "mock://" + SCOPE,
                "state.dir", dir.toString(), "topic.logs.raw", topics.logsRaw(), "topic.logs.aggregated", topics.logsAggregated(),
                "topic.orders", topics.orders(), "topic.orders.processed", topics.ordersProcessed(), "topic.dlq", topics.dlq()));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(topics.all().stream().map(t -> new NewTopic(t, 2, (short) 1)).toList()).all().get();
            TopicReadiness.await(admin, topics.all(), 30_000);
        }
        PipelineMetrics metrics = PipelineMetrics.inMemory();
        StreamsPipeline pipeline = ref.create(new PipelineContext(config, topics, serdes(), metrics));
        Properties props = PipelineStreamsConfig.of(pipeline, config, metrics, Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, p + "app", StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100));

        try (KafkaStreams streams = new KafkaStreams(pipeline.topology(), props)) {
            streams.start();
            int rc = Main.execute("produce", kind.label(), "--count", "2000", "--malformed", "0.05", "--seed", "3",
                    "--bootstrap-servers", broker.bootstrapServers(), "--set", "schema.registry.url=mock://" + SCOPE,
                    "--set", "topic.logs.raw=" + topics.logsRaw(), "--set", "topic.orders=" + topics.orders());
            assertThat(rc).isZero();

            String input = kind.topic(topics);
            long malformed = readAll(broker, input, "read_uncommitted").stream()
                    .filter(r -> MalformedCheck.validOrNull(serde(kind), input, r.key(), r.value()) == null).count();
            assertThat(malformed).isPositive();
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                List<ConsumerRecord<byte[], byte[]>> dlq = readAll(broker, topics.dlq(), "read_committed");
                long badInput = dlq.stream().filter(r -> BAD_INPUT_REASONS.contains(DeadLetters.header(r.headers(), DeadLetters.REASON))).count();
                assertThat(badInput).as("dead letters by reason %s, by key %s; malformed input by key %s",
                        countBy(dlq, r -> DeadLetters.header(r.headers(), DeadLetters.REASON)), countBy(dlq, MalformedToDeadLetterIT::key),
                        countBy(readAll(broker, input, "read_uncommitted").stream()
                                .filter(r -> MalformedCheck.validOrNull(serde(kind), input, r.key(), r.value()) == null).toList(),
                                MalformedToDeadLetterIT::key)).isEqualTo(malformed);
            });
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    private static Map<String, Long> countBy(List<ConsumerRecord<byte[], byte[]>> records,
            java.util.function.Function<ConsumerRecord<byte[], byte[]>, String> by) {
        return records.stream().collect(java.util.stream.Collectors.groupingBy(r -> String.valueOf(by.apply(r)),
                java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? "<null>" : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static SerdeFactory serdes() {
        return SerdeFactory.mock(SCOPE);
    }

    private static AvroSerde<? extends SpecificRecord> serde(LoadKind kind) {
        return kind == LoadKind.LOGS ? new AvroSerde<>(SchemaRegistryClients.mock(SCOPE), LogEvent.class)
                : new AvroSerde<>(SchemaRegistryClients.mock(SCOPE), OrderEvent.class);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(TestBroker broker, String topic, String isolation) {
        return TopicRecords.readAll(broker.bootstrapServers(), topic, isolation);
    }
}
