package dev.pipeline.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.kafka.registry.InMemorySchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    static Stream<SpecificRecord> oneOfEach() {
        return Stream.of(TestRecords.logEvent(), TestRecords.logBatch(), TestRecords.orderEvent(),
                TestRecords.orderResult());
    }

    @ParameterizedTest
    @MethodSource("oneOfEach")
    <T extends SpecificRecord> void roundTripsEverySchema(T record) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) record.getClass();
        AvroSerde<T> serde = new AvroSerde<>(registry, type);

        byte[] bytes = serde.serialize("topic-a", record);

        assertThat(serde.deserialize("topic-a", bytes)).isEqualTo(record);
    }

    @Test
    void writesConfluentWireFormat() {
        // an unrelated schema first, so the id under test is not 0 or 1 and byte order matters
        for (int i = 0; i < 300; i++) {
            registry.register("filler-" + i, Schema.createFixed("F" + i, null, "x", 1));
        }
        AvroSerde<LogEvent> serde = new AvroSerde<>(registry, LogEvent.class);

        byte[] bytes = serde.serialize("logs-raw", TestRecords.logEvent());

        int id = registry.latest("logs-raw-value").id();
        assertThat(id).isEqualTo(301);
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(Arrays.copyOfRange(bytes, 1, 5)).containsExactly(0, 0, 1, 45); // 301 = 0x012D
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(registry.getById(id)).isEqualTo(LogEvent.getClassSchema());
    }

    @Test
    void reusedBuffersNeverCarryBytesFromOneRecordIntoTheNext() {
        // each thread reuses one encoding buffer and decoder: a large record, then a small one
        AvroSerde<LogEvent> serde = new AvroSerde<>(registry, LogEvent.class);
        LogEvent small = TestRecords.logEvent();
        LogEvent large = LogEvent.newBuilder(small).setMessage("x".repeat(100_000)).build();
        byte[] smallAlone = new AvroSerde<>(registry, LogEvent.class).serialize("logs-raw", small);

        byte[] largeBytes = serde.serialize("logs-raw", large);
        byte[] smallBytes = serde.serialize("logs-raw", small);

        assertThat(smallBytes).isEqualTo(smallAlone);
        assertThat(serde.deserialize("logs-raw", largeBytes)).isEqualTo(large);
        assertThat(serde.deserialize("logs-raw", smallBytes)).isEqualTo(small);
        assertThat(serde.deserialize("logs-raw", largeBytes)).isEqualTo(large);
    }

    @Test
    void keySerdeUsesKeySubject() {
        AvroSerde<OrderEvent> serde = new AvroSerde<>(registry, OrderEvent.class, true);

        serde.serialize("orders", TestRecords.orderEvent());

        assertThat(registry.subjects()).containsExactly("orders-key");
    }

    @Test
    void sameSchemaOnTwoTopicsSharesOneId() {
        AvroSerde<LogBatch> serde = new AvroSerde<>(registry, LogBatch.class);

        byte[] a = serde.serialize("a", TestRecords.logBatch());
        byte[] b = serde.serialize("b", TestRecords.logBatch());

        assertThat(Arrays.copyOfRange(a, 0, 5)).isEqualTo(Arrays.copyOfRange(b, 0, 5));
        assertThat(registry.subjects()).containsExactly("a-value", "b-value");
    }

    @Test
    void nullIsNullBothWays() {
        AvroSerde<OrderResult> serde = new AvroSerde<>(registry, OrderResult.class);

        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }

    @Test
    void configuredFromConfluentKeysWithSharedMockRegistry() {
        String scope = "avro-serde-test-" + System.nanoTime();
        Map<String, Object> configs = Map.of(SchemaRegistryClients.SCHEMA_REGISTRY_URL, "mock://" + scope);
        AvroSerde<LogEvent> producerSide = AvroSerde.configured(LogEvent.class, configs, false);
        AvroSerde<LogEvent> consumerSide = new AvroSerde<>(LogEvent.class);
        consumerSide.configure(configs, false);
        try {
            byte[] bytes = producerSide.serializer().serialize("logs-raw", TestRecords.logEvent());

            assertThat(consumerSide.deserializer().deserialize("logs-raw", bytes)).isEqualTo(TestRecords.logEvent());
            assertThat(SchemaRegistryClients.mock(scope).subjects()).containsExactly("logs-raw-value");
        } finally {
            SchemaRegistryClients.dropMock(scope);
        }
    }

    @Test
    void withoutAutoRegisterUsesLatestIdOfSubject() {
        int id = registry.register("logs-raw-value", LogEvent.getClassSchema());
        AvroSerde<LogEvent> serde = new AvroSerde<>(registry, LogEvent.class);
        serde.configure(Map.of(SchemaRegistryClients.AUTO_REGISTER_SCHEMAS, "false"), false);

        byte[] bytes = serde.serialize("logs-raw", TestRecords.logEvent());

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(registry.subjects()).containsExactly("logs-raw-value");
    }

    @Test
    void withoutAutoRegisterRefusesUnknownSubjectOrForeignLatestSchema() {
        registry.register("orders-value", LogEvent.getClassSchema());
        AvroSerde<OrderEvent> serde = new AvroSerde<>(registry, OrderEvent.class);
        serde.configure(Map.of(SchemaRegistryClients.AUTO_REGISTER_SCHEMAS, false), false);

        assertThatThrownBy(() -> serde.serialize("nowhere", TestRecords.orderEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("subject 'nowhere-value'")
                .hasMessageContaining("not found");
        assertThatThrownBy(() -> serde.serialize("orders", TestRecords.orderEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("auto.register.schemas is false")
                .hasMessageContaining("not the schema of dev.pipeline.schema.OrderEvent");
        assertThat(registry.subjects()).containsExactly("orders-value");
    }

    @Test
    void invalidRecordFailsWithSerializationException() {
        AvroSerde<OrderEvent> serde = new AvroSerde<>(registry, OrderEvent.class);
        OrderEvent broken = TestRecords.orderEvent();
        broken.setCurrency(null); // builders refuse this, setters do not

        assertThatThrownBy(() -> serde.serialize("orders", broken))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Cannot serialize OrderEvent for topic 'orders'");
    }

    @Test
    void unconfiguredSerdeSaysWhatIsMissing() {
        AvroSerde<OrderEvent> serde = new AvroSerde<>(OrderEvent.class);

        assertThatThrownBy(() -> serde.serialize("orders", TestRecords.orderEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema.registry.url");
    }
}
