package dev.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.kafka.BadRecordCorpus.Entry;
import dev.pipeline.kafka.BadRecordCorpus.Target;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BadRecordCorpusTest {
    private static final long NOW = 1_700_000_000_000L;

    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, Integer> idBySubject = new HashMap<>();
    private final Topics topics = Topics.defaults();
    private final List<Entry> corpus = BadRecordCorpus.all(topics, this::register, NOW);

    /**
     * Avro allocates a declared string length before reading it unless its system limit is set
     * (an absurd length is an OutOfMemoryError); the app must set the limit at start, so the test does too.
     */
    @BeforeAll
    static void limitAvroStrings() throws Exception {
        System.setProperty(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, "1048576");
        System.setProperty(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, "1048576");
        Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
        reset.setAccessible(true);
        reset.invoke(null);
    }

    private int register(String subject, Schema schema) {
        return idBySubject.computeIfAbsent(subject, s -> {
            int id = byId.size() + 1;
            byId.put(id, schema);
            return id;
        });
    }

    @Test
    void shouldHaveAtLeastTwentyDistinctKindsPerInputTopic() {
        for (Target t : Target.values()) {
            List<Entry> entries = corpus.stream().filter(e -> e.target() == t).toList();
            Set<String> names = entries.stream().map(Entry::name).collect(Collectors.toSet());
            assertThat(names).hasSize(entries.size()).hasSizeGreaterThanOrEqualTo(20);
            assertThat(entries).allSatisfy(e -> assertThat(e.why()).isNotBlank());
        }
    }

    @Test
    void shouldBeDeterministicApartFromTheClock() {
        List<Entry> again = BadRecordCorpus.all(topics, this::register, NOW);
        assertThat(again).hasSameSizeAs(corpus);
        for (int i = 0; i < corpus.size(); i++) {
            assertThat(again.get(i).value()).isEqualTo(corpus.get(i).value());
            assertThat(again.get(i).key()).isEqualTo(corpus.get(i).key());
        }
    }

    @Test
    void shouldEncodeByHandExactlyAsAvroDoes() {
        LogEvent plain = BadRecordCorpus.validLogEvent("e1", "svc", NOW);
        LogEvent rich = LogEvent.newBuilder(plain).setTraceId("t-1").setAttributes(Map.of("a", "1", "b", "2")).build();
        OrderEvent order = BadRecordCorpus.validOrderEvent("e2", "o-1", NOW);
        for (SpecificRecord r : List.of(plain, rich, order)) {
            assertThat(BadRecordCorpus.handWritten(r)).isEqualTo(BadRecordCorpus.avroBody(r));
        }
    }

    @Test
    void shouldFailToDeserializeEveryDeserializationEntry() {
        List<Entry> bad = corpus.stream().filter(e -> e.expected() == DropReason.DESERIALIZATION).toList();
        assertThat(bad).hasSizeGreaterThanOrEqualTo(36);
        for (Entry e : bad) {
            Class<? extends SpecificRecord> type = e.target() == Target.LOGS_RAW ? LogEvent.class : OrderEvent.class;
            assertThatThrownBy(() -> deserialize(type, e.value())).as(e.toString()).isInstanceOf(Exception.class)
                    .isNotInstanceOf(OutOfMemoryError.class);
        }
    }

    @Test
    void shouldDeserializeEveryProcessingEntry() {
        List<Entry> rules = corpus.stream().filter(e -> e.expected() == DropReason.PROCESSING).toList();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(17);
        for (Entry e : rules) {
            Class<? extends SpecificRecord> type = e.target() == Target.LOGS_RAW ? LogEvent.class : OrderEvent.class;
            assertThatCode(() -> deserialize(type, e.value())).as(e.toString()).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldOnlyExpectReasonsThatAreDeadLettered() {
        assertThat(corpus).allSatisfy(e -> assertThat(e.expected().toDeadLetterTopic()).isTrue());
    }

    /**
     * The checks of the Confluent-wire-format Avro deserializer, in its order: magic byte, header,
     * writer schema by id, reader/writer compatibility, full consumption of the payload.
     */
    private <T extends SpecificRecord> T deserialize(Class<T> type, byte[] bytes) throws Exception {
        if (bytes == null) {
            return null;
        }
        if (bytes.length < 5 || bytes[0] != 0) {
            throw new IllegalArgumentException("not the wire format");
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        Schema writer = byId.get(id);
        if (writer == null) {
            throw new IllegalArgumentException("unknown schema id " + id);
        }
        Schema reader = (Schema) type.getMethod("getClassSchema").invoke(null);
        if (SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new IllegalArgumentException("incompatible writer schema");
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
        T value = new SpecificDatumReader<T>(writer, reader).read(null, decoder);
        if (!decoder.isEnd()) {
            throw new IllegalArgumentException("trailing bytes");
        }
        return value;
    }
}
