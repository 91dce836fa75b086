package dev.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.InMemorySchemaRegistryClient;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.load.BadRecordCorpus.Entry;
import dev.pipeline.load.BadRecordCorpus.Target;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class BadRecordCorpusTest {
    private static final long NOW = 1_700_000_000_000L;

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Topics topics = Topics.defaults();
    private final List<Entry> corpus = BadRecordCorpus.all(topics, registry::register, NOW);

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
        List<Entry> again = BadRecordCorpus.all(topics, registry::register, NOW);
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
            assertThatThrownBy(() -> deserialize(type, e.value())).as(e.toString())
                    .isInstanceOf(SerializationException.class);
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

    /** The app's deserializer, against the registry the corpus registered its schemas in. */
    private Object deserialize(Class<? extends SpecificRecord> type, byte[] bytes) {
        Target target = type == LogEvent.class ? Target.LOGS_RAW : Target.ORDERS;
        return new AvroSerde<>(registry, type).deserialize(target.topic(topics), bytes);
    }
}
