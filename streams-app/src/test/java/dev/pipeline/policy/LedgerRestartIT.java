package dev.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.StreamsApps;
import dev.pipeline.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Counters are not state: the ledger's terms and a buffer survive a restart on a fresh state
 * directory (restored from their changelogs), so the conservation check still balances after it
 * with the process-lifetime counters back at zero.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class LedgerRestartIT {
    private final ConservationStatus status = new ConservationStatus();
    private final StreamsApps apps = new StreamsApps("ledger-restart-it-");

    @AfterEach
    void close() {
        apps.close();
    }

    @Test
    void shouldBalanceAfterARestartThatRestoresTheLedgerFromItsChangelog(TestBroker broker) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String in = "ledger-in-" + run;
        String appId = "ledger-restart-it-" + run;
        StreamsApps.createTopics(broker, 1, List.of(in, in + "-out"));

        KafkaStreams streams = start(broker, appId, in, apps.stateDir().resolve("first"));
        send(broker, in, 0, 30);
        await().atMost(Duration.ofSeconds(60)).until(() -> status.summary("toy").total().in() == 30);
        assertThat(status.summary("toy").total()).isEqualTo(new Ledger.Snapshot(30, 20, 0, 0, 10));
        // leave the group so the next instance does not wait out the old member's session
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));

        // a new process: fresh state dir, fresh metrics; only the changelogs remember
        start(broker, appId, in, apps.stateDir().resolve("second"));
        send(broker, in, 30, 15);
        await().atMost(Duration.ofSeconds(60)).until(() -> status.summary("toy").total().in() == 45);
        ConservationStatus.Summary after = status.summary("toy");
        assertThat(after.total()).isEqualTo(new Ledger.Snapshot(45, 30, 0, 0, 15));
        assertThat(after.holds()).isTrue();
        assertThat(after.violations()).isZero();
    }

    private void send(TestBroker broker, String topic, int from, int n) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < from + n; i++) {
                p.send(new ProducerRecord<>(topic, "k", Integer.toString(i))).get();
            }
        }
    }

    private KafkaStreams start(TestBroker broker, String appId, String in, Path dir) {
        Topology t = new Topology();
        t.addSource("source", Serdes.String().deserializer(), Serdes.String().deserializer(), in);
        t.addProcessor("buffering", () -> new Buffering(new ConservationCheck("toy", PipelineMetrics.inMemory(), status)), "source");
        t.addStateStore(Ledger.storeBuilder("toy"), "buffering");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("toy-buffer"), Serdes.String(), Serdes.String()),
                "buffering");
        t.addSink("sink", in + "-out", Serdes.String().serializer(), Serdes.String().serializer(), "buffering");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        KafkaStreams ks = apps.track(new KafkaStreams(t, props));
        ks.start();
        return ks;
    }

    /** Holds every third record in a store (buffered), emits the others (out). */
    private static final class Buffering implements Processor<String, String, String, String> {
        private final ConservationCheck check;
        private ProcessorContext<String, String> context;
        private Ledger ledger;
        private KeyValueStore<String, String> buffer;
        private Cancellable ticker;

        Buffering(ConservationCheck check) {
            this.check = check;
        }

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.ledger = new Ledger(context.getStateStore(Ledger.storeName("toy")));
            this.buffer = context.getStateStore("toy-buffer");
            this.ticker = check.schedule(context, Duration.ofMillis(100), ledger, buffer::approximateNumEntries);
        }

        @Override
        public void process(Record<String, String> record) {
            ledger.in(1);
            if (Integer.parseInt(record.value()) % 3 == 0) {
                buffer.put(record.value(), record.value());
            } else {
                context.forward(record);
                ledger.out(1);
            }
        }

        @Override
        public void close() {
            ticker.cancel();
            check.forget(context.taskId().toString());
        }
    }
}
