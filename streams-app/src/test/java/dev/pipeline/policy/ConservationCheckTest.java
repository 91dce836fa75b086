package dev.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.json.Json;
import dev.pipeline.observe.PipelineMetrics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The check as a pipeline uses it: a wall-clock punctuator over the task's ledger. */
class ConservationCheckTest {
    private final PipelineMetrics metrics = PipelineMetrics.inMemory();
    private final ConservationStatus status = new ConservationStatus();
    private final ConservationCheck check = new ConservationCheck("toy", metrics, status);
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> input;

    @BeforeEach
    void start() {
        Topology topology = new Topology();
        topology.addSource("source", new StringDeserializer(), new StringDeserializer(), "in");
        topology.addProcessor("count", () -> new Counting(check), "source");
        topology.addStateStore(Ledger.storeBuilder("toy"), "count");
        topology.addSink("out", "out", new StringSerializer(), new StringSerializer(), "count");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "conservation-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/conservation-test-" + ProcessHandle.current().pid());
        driver = new TopologyTestDriver(topology, props);
        input = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void shouldPublishBalancedTermsOnEveryTick() {
        input.pipeInput("k", "emit");
        input.pipeInput("k", "hold");
        input.pipeInput("k", "reject");
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        ConservationStatus.Summary s = status.summary("toy");
        assertThat(s.tasks()).isEqualTo(1);
        assertThat(s.total()).isEqualTo(new Ledger.Snapshot(3, 1, 1, 0, 1));
        assertThat(s.droppedByReason()).containsEntry(DropReason.PROCESSING, 1L);
        assertThat(s.holds()).isTrue();
        assertThat(s.report().holds()).isTrue();
        assertThat(s.report().imbalance()).isZero();
        assertThat(metrics.conservationViolations("toy").count()).isZero();
    }

    @Test
    void shouldWriteTheStatusTermsUnderTheNamesTheDashboardReads() throws Exception {
        Map<DropReason, Long> reasons = new EnumMap<>(DropReason.class);
        reasons.put(DropReason.PROCESSING, 1L);
        reasons.put(DropReason.DESERIALIZATION, 2L);
        ConservationStatus.Summary s = new ConservationStatus.Summary(new Ledger.Snapshot(9, 4, 1, 3, 1), reasons, 2, 1234, 0);

        String expected = "{\"in\":9,\"out\":4,\"dlq\":1,\"dropped\":3,\"buffered\":1,"
                + "\"droppedByReason\":{\"deserialization\":2,\"processing\":1},\"imbalance\":0,\"holds\":true,"
                + "\"tasks\":2,\"checkedAtMs\":1234,\"violations\":0}";
        assertThat(Json.MAPPER.writeValueAsString(s.report())).isEqualTo(expected);
        assertThat(Json.MAPPER.writeValueAsString(s.toMap())).isEqualTo(expected);
        assertThat(s.toMap()).containsEntry("in", 9L).containsEntry("holds", true).containsEntry("tasks", 2L);
    }

    @Test
    void shouldCountAndReportARecordThatVanishes() {
        input.pipeInput("k", "emit");
        input.pipeInput("k", "vanish");
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        ConservationStatus.Summary s = status.summary("toy");
        assertThat(s.holds()).isFalse();
        assertThat(s.total().imbalance()).isEqualTo(1);
        assertThat(s.violations()).isEqualTo(1);
        assertThat(metrics.conservationViolations("toy").count()).isEqualTo(1.0);
    }

    @Test
    void shouldForgetTheTaskWhenItCloses() {
        input.pipeInput("k", "emit");
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(status.summary("toy").tasks()).isEqualTo(1);
        driver.close();
        driver = null;
        assertThat(status.summary("toy").tasks()).isZero();
    }

    /** emit: out; hold: buffered; reject: dropped to the DLQ; vanish: counted in, then lost (a bug). */
    static final class Counting implements Processor<String, String, String, String> {
        private final ConservationCheck check;
        private ProcessorContext<String, String> context;
        private Ledger ledger;
        private DropRecorder recorder;
        private Cancellable ticker;
        private long held;

        Counting(ConservationCheck check) {
            this.check = check;
        }

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.ledger = new Ledger(context.getStateStore(Ledger.storeName("toy")));
            this.recorder = new DropRecorder("toy", PipelineMetrics.inMemory(), ledger);
            this.ticker = check.schedule(context, Duration.ofSeconds(1), ledger, () -> held);
        }

        @Override
        public void process(Record<String, String> record) {
            ledger.in(1);
            switch (record.value()) {
                case "emit" -> {
                    context.forward(record);
                    ledger.out(1);
                }
                case "hold" -> held++;
                case "reject" -> recorder.drop(DropReason.PROCESSING, null, null, record.timestamp(), record.headers(),
                        DeadLetters.Source.UNKNOWN, 1, null);
                default -> { }
            }
        }

        @Override
        public void close() {
            ticker.cancel();
            check.forget(context.taskId().toString());
        }
    }
}
