package dev.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.cli.Main;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code produce} end to end against the real embedded broker, values read back with the project's serde. */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class ProduceCommandIT {
    private static final String SCOPE = "produce-it";
    private static final String REGISTRY = "schema.registry.url=mock://" + SCOPE;

    @AfterAll
    static void dropRegistry() {
        SchemaRegistryClients.dropMock(SCOPE);
    }

    @Test
    void shouldLandExactlyCountRecordsThatDeserialize(TestBroker broker) {
        int rc = Main.execute("produce", "logs", "--count", "10000", "--bootstrap-servers", broker.bootstrapServers(),
                "--set", REGISTRY, "--set", "topic.logs.raw=it-logs-count");
        assertThat(rc).isZero();

        Read<LogEvent> read = readAll(broker, "it-logs-count", LogEvent.class, LogEvent::getEventId);
        assertThat(read.records()).isEqualTo(10_000);
        assertThat(read.malformed()).isZero();
        assertThat(read.distinctIds()).isEqualTo(10_000);
    }

    @Test
    void shouldRepeatAboutTheRequestedFractionOfEventIds(TestBroker broker) {
        int rc = Main.execute("produce", "orders", "--count", "10000", "--duplicates", "0.1", "--seed", "11",
                "--bootstrap-servers", broker.bootstrapServers(), "--set", REGISTRY, "--set", "topic.orders=it-orders-dups");
        assertThat(rc).isZero();

        Read<OrderEvent> read = readAll(broker, "it-orders-dups", OrderEvent.class, OrderEvent::getEventId);
        assertThat(read.distinctIds()).isEqualTo(10_000);
        assertThat(read.records()).as("10,000 events plus the repeats").isEqualTo(10_000 + read.repeats());
        assertThat(read.repeats() / 10_000.0).isBetween(0.08, 0.12);
    }

    @Test
    void shouldSendMalformedRecordsFromTheBadInputCorpus(TestBroker broker) {
        int rc = Main.execute("produce", "logs", "--count", "4000", "--malformed", "0.05", "--seed", "5",
                "--bootstrap-servers", broker.bootstrapServers(), "--set", REGISTRY, "--set", "topic.logs.raw=it-logs-bad");
        assertThat(rc).isZero();

        Read<LogEvent> read = readAll(broker, "it-logs-bad", LogEvent.class, LogEvent::getEventId);
        assertThat(read.records() - read.malformed()).isEqualTo(4_000);
        assertThat(read.malformed() / 4_000.0).isBetween(0.03, 0.07);
        // both halves of the corpus: wire-level damage, and records that decode but break the input contract
        assertThat(read.undecodable()).isPositive().isLessThan(read.malformed());
    }

    @Test
    void shouldExitNonZeroWhenSendsFail(TestBroker broker) {
        // every record is larger than the producer may send: each send fails, none is lost silently
        int rc = Main.execute("produce", "logs", "--count", "20", "--bootstrap-servers", broker.bootstrapServers(),
                "--set", REGISTRY, "--set", "topic.logs.raw=it-logs-fail", "--set", "max.request.size=64");
        assertThat(rc).isEqualTo(1);
    }

    @Test
    void shouldRefuseFractionsOutsideZeroToOne(TestBroker broker) {
        int rc = Main.execute("produce", "logs", "--count", "1", "--duplicates", "2", "--bootstrap-servers",
                broker.bootstrapServers(), "--set", REGISTRY);
        assertThat(rc).isEqualTo(2);
    }

    record Read<V>(int records, int malformed, int undecodable, int distinctIds, int repeats) {}

    private static <V extends SpecificRecord> Read<V> readAll(TestBroker broker, String topic, Class<V> type,
            Function<V, String> eventId) {
        AvroSerde<V> serde = new AvroSerde<>(SchemaRegistryClients.mock(SCOPE), type);
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("read %s to its end within 60 s", topic).isLessThan(deadline);
                c.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        int bad = 0;
        int undecodable = 0;
        int repeats = 0;
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : all) {
            try {
                serde.deserialize(topic, r.value());
            } catch (RuntimeException e) {
                undecodable++;
            }
            V v = MalformedCheck.validOrNull(serde, topic, r.key(), r.value());
            if (v == null) {
                bad++;
            } else if (!ids.add(eventId.apply(v))) {
                repeats++;
            }
        }
        return new Read<>(all.size(), bad, undecodable, ids.size(), repeats);
    }
}
