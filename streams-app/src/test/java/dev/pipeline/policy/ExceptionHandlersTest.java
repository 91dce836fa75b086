package dev.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.PolicyKeys;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each of Kafka Streams' error paths, driven through a tiny topology: the failing record lands in
 * the dead-letter topic with our headers and Streams' own, its reason is counted, and the next
 * record is still processed.
 */
class ExceptionHandlersTest {
    private static final String IN = "in";
    private static final String OUT = "out";
    private static final String DLQ = "pipeline-dlq";
    private static final String PIPELINE = "test";

    private final PipelineMetrics metrics = PipelineMetrics.inMemory();
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> input;
    private TestOutputTopic<String, String> output;
    private TestOutputTopic<byte[], byte[]> dlq;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** Values starting "undecodable" fail to deserialize, "boom" throws, "reject:REASON" rejects, "unwritable" fails to serialize. */
    private void start(Map<String, ?> policyOverrides) {
        Topology topology = new Topology();
        topology.addSource("source", new StringDeserializer(), new PickyDeserializer(), IN);
        topology.addProcessor("process", RulesProcessor::new, "source");
        topology.addSink("sink", OUT, new StringSerializer(), new PickySerializer(), "process");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "handlers-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/handlers-test-" + ProcessHandle.current().pid());
        PipelineConfig config = PipelineConfig.defaults().with(policyOverrides);
        props.putAll(ExceptionHandling.streamsProperties(PIPELINE, config, metrics));
        driver = new TopologyTestDriver(topology, props);
        input = driver.createInputTopic(IN, new StringSerializer(), new StringSerializer());
        output = driver.createOutputTopic(OUT, new StringDeserializer(), new StringDeserializer());
        dlq = driver.createOutputTopic(DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Test
    void shouldDeadLetterARecordThatFailsToDeserializeAndGoOn() {
        start(Map.of());
        input.pipeInput("k0", "ok-0");
        input.pipeInput("k1", "undecodable-1");
        input.pipeInput("k2", "ok-2");

        assertThat(output.readValuesToList()).containsExactly("ok-0", "ok-2");
        TestRecord<byte[], byte[]> dead = single(dlq.readRecordsToList());
        assertThat(text(dead.key())).isEqualTo("k1");
        assertThat(text(dead.value())).isEqualTo("undecodable-1");
        assertHeaders(dead.headers(), DropReason.DESERIALIZATION, 1L);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.EXCEPTION)).isEqualTo(SerializationException.class.getName());
        assertCounted(DropReason.DESERIALIZATION, 1);
    }

    @Test
    void shouldDeadLetterARecordWhoseProcessingThrowsAndGoOn() {
        start(Map.of());
        input.pipeInput("k0", "boom");
        input.pipeInput("k1", "ok-1");

        assertThat(output.readValuesToList()).containsExactly("ok-1");
        TestRecord<byte[], byte[]> dead = single(dlq.readRecordsToList());
        assertThat(text(dead.value())).isEqualTo("boom");
        assertHeaders(dead.headers(), DropReason.PROCESSING, 0L);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.MESSAGE)).isEqualTo("boom at offset 0");
        assertCounted(DropReason.PROCESSING, 1);
    }

    @Test
    void shouldUseTheReasonOfARejectionAndCountOnlyReasonsThatAreNotDeadLettered() {
        start(Map.of());
        input.pipeInput("k0", "reject:INVALID_TRANSITION");
        input.pipeInput("k1", "reject:DUPLICATE");
        input.pipeInput("k2", "ok-2");

        assertThat(output.readValuesToList()).containsExactly("ok-2");
        TestRecord<byte[], byte[]> dead = single(dlq.readRecordsToList());
        assertHeaders(dead.headers(), DropReason.INVALID_TRANSITION, 0L);
        assertCounted(DropReason.INVALID_TRANSITION, 1);
        assertThat(counter(MetricNames.DROPPED_RECORDS, DropReason.DUPLICATE)).isEqualTo(1.0);
        assertThat(metrics.registry().find(MetricNames.DUPLICATES).counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterTheSourceRecordOfAnOutputThatCannotBeWrittenAndGoOn() {
        start(Map.of());
        input.pipeInput("k0", "unwritable");
        input.pipeInput("k1", "ok-1");

        assertThat(output.readValuesToList()).containsExactly("ok-1");
        TestRecord<byte[], byte[]> dead = single(dlq.readRecordsToList());
        assertThat(text(dead.key())).isEqualTo("k0");
        assertThat(text(dead.value())).isEqualTo("unwritable");
        assertHeaders(dead.headers(), DropReason.PRODUCTION, 0L);
        assertCounted(DropReason.PRODUCTION, 1);
    }

    @Test
    void shouldStopOnADeserializationErrorWhenThePolicyIsFail() {
        start(Map.of(PolicyKeys.ERRORS_DESERIALIZATION_POLICY_CONFIG, "FAIL"));
        assertThatThrownBy(() -> input.pipeInput("k1", "undecodable-1")).isInstanceOf(StreamsException.class);
        assertCounted(DropReason.DESERIALIZATION, 1);
    }

    @Test
    void shouldStopOnAProcessingErrorWhenThePolicyIsFail() {
        start(Map.of(PolicyKeys.ERRORS_PROCESSING_POLICY_CONFIG, "FAIL"));
        assertThatThrownBy(() -> input.pipeInput("k1", "boom")).isInstanceOf(StreamsException.class);
    }

    @Test
    void shouldLogAFailedPunctuationWithoutCountingADropAndGoOn() {
        start(Map.of());
        input.pipeInput("k0", "arm-punctuator");
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        input.pipeInput("k1", "ok-1");

        assertThat(output.readValuesToList()).containsExactly("ok-1");
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(metrics.registry().find(MetricNames.DROPPED_RECORDS).counters()).allSatisfy(c -> assertThat(c.count()).isZero());
    }

    @Test
    void shouldRefuseToRunWithoutTheSettings() {
        DeadLetterProcessingHandler handler = new DeadLetterProcessingHandler();
        assertThatThrownBy(() -> handler.configure(Map.of()))
                .hasMessageContaining(ExceptionHandling.SETTINGS_CONFIG);
    }

    private void assertHeaders(Headers h, DropReason reason, long offset) {
        assertThat(DeadLetters.header(h, DeadLetters.REASON)).isEqualTo(reason.label());
        assertThat(DeadLetters.header(h, DeadLetters.PIPELINE)).isEqualTo(PIPELINE);
        assertThat(DeadLetters.header(h, DeadLetters.ATTEMPTS)).isEqualTo("1");
        assertThat(DeadLetters.header(h, DeadLetters.SOURCE_TOPIC)).isEqualTo(IN);
        assertThat(DeadLetters.header(h, DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(DeadLetters.header(h, DeadLetters.SOURCE_OFFSET)).isEqualTo(Long.toString(offset));
        assertThat(DeadLetters.header(h, DeadLetters.EXCEPTION)).isNotBlank();
        // Kafka Streams' own DLQ headers (KIP-1034) are there too
        for (String streams : List.of("__streams.errors.exception", "__streams.errors.message", "__streams.errors.stacktrace",
                "__streams.errors.topic", "__streams.errors.partition", "__streams.errors.offset")) {
            assertThat(h.lastHeader(streams)).as(streams).isNotNull();
        }
        assertThat(DeadLetters.header(h, "__streams.errors.offset")).isEqualTo(Long.toString(offset));
    }

    private void assertCounted(DropReason reason, double n) {
        assertThat(counter(MetricNames.DROPPED_RECORDS, reason)).isEqualTo(n);
        assertThat(counter(MetricNames.DLQ_RECORDS, reason)).isEqualTo(n);
    }

    private double counter(String name, DropReason reason) {
        var c = metrics.registry().find(name).tag(MetricNames.TAG_PIPELINE, PIPELINE)
                .tag(MetricNames.TAG_REASON, reason.label()).counter();
        return c == null ? 0 : c.count();
    }

    private static <T> T single(List<T> list) {
        assertThat(list).hasSize(1);
        return list.get(0);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static final class PickyDeserializer implements Deserializer<String> {
        @Override
        public String deserialize(String topic, byte[] data) {
            String s = Serdes.String().deserializer().deserialize(topic, data);
            if (s != null && s.startsWith("undecodable")) {
                throw new SerializationException("cannot decode " + s);
            }
            return s;
        }
    }

    static final class PickySerializer implements Serializer<String> {
        @Override
        public byte[] serialize(String topic, String data) {
            if ("unwritable".equals(data)) {
                throw new SerializationException("cannot encode " + data);
            }
            return Serdes.String().serializer().serialize(topic, data);
        }
    }

    static final class RulesProcessor implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, String> record) {
            String v = record.value();
            if (v.equals("boom")) {
                throw new IllegalStateException("boom at offset " + context.recordMetadata().orElseThrow().offset());
            }
            if (v.startsWith("reject:")) {
                throw new RecordRejectedException(DropReason.valueOf(v.substring(7)), "rejected " + v);
            }
            if (v.equals("arm-punctuator")) {
                context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, ts -> {
                    throw new IllegalStateException("punctuator failed");
                });
                return;
            }
            context.forward(record);
        }
    }
}
