package dev.pipeline.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.kafka.registry.InMemorySchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryException;
import dev.pipeline.kafka.registry.SchemaVersion;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class AvroSerdeBadBytesTest {
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroSerde<LogEvent> serde = new AvroSerde<>(registry, LogEvent.class);
    private final byte[] good = serde.serialize("logs-raw", TestRecords.logEvent());

    private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(byte[] bytes) {
        return assertThatThrownBy(() -> serde.deserialize("logs-raw", bytes))
                .isExactlyInstanceOf(SerializationException.class)
                .hasMessageStartingWith("Cannot deserialize record from topic 'logs-raw': ");
    }

    private static byte[] withId(int id, byte[] payload) {
        return ByteBuffer.allocate(5 + payload.length).put((byte) 0).putInt(id).put(payload).array();
    }

    @Test
    void emptyPayload() {
        assertRejected(new byte[0]).hasMessageContaining("empty payload");
    }

    @Test
    void wrongMagicByte() {
        byte[] bytes = good.clone();
        bytes[0] = 5;

        assertRejected(bytes).hasMessageContaining("magic byte 0x05, expected 0x00");
    }

    @Test
    void plainJsonIsNotMistakenForAvro() {
        assertRejected("{\"eventId\":\"e-1\"}".getBytes()).hasMessageContaining("magic byte 0x7b, expected 0x00");
    }

    @Test
    void headerCutShort() {
        assertRejected(new byte[] {0, 0, 1}).hasMessageContaining("truncated header: 3 bytes");
    }

    @Test
    void unknownSchemaId() {
        assertRejected(withId(4242, new byte[] {2, 'x'})).hasMessageContaining("unknown schema id 4242");
    }

    @Test
    void registryOutageForUncachedIdIsReportedAsSuch() {
        SchemaRegistryClient down = new SchemaRegistryClient() {
            @Override
            public Schema getById(int id) {
                throw new SchemaRegistryException(0, SchemaRegistryException.UNREACHABLE, "connection refused");
            }

            @Override
            public int register(String subject, Schema schema) {
                throw new UnsupportedOperationException();
            }

            @Override
            public SchemaVersion latest(String subject) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<String> subjects() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isCompatible(String subject, Schema schema) {
                throw new UnsupportedOperationException();
            }
        };
        AvroSerde<LogEvent> reader = new AvroSerde<>(down, LogEvent.class);

        assertThatThrownBy(() -> reader.deserialize("logs-raw", good))
                .isExactlyInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot fetch writer schema id 1: connection refused");
    }

    @Test
    void truncatedPayload() {
        assertRejected(Arrays.copyOf(good, good.length - 4))
                .hasMessageContaining("invalid Avro payload for schema id 1: truncated: ");
    }

    @Test
    void trailingGarbage() {
        byte[] bytes = Arrays.copyOf(good, good.length + 3);

        assertRejected(bytes).hasMessageContaining("3 bytes left over after the record");
    }

    @Test
    void writerOfAnotherRecordType() {
        byte[] order = new AvroSerde<>(registry, OrderEvent.class).serialize("orders", TestRecords.orderEvent());

        assertRejected(order)
                .hasMessageContaining("writer schema id 2 (dev.pipeline.schema.OrderEvent) is incompatible with reader "
                        + "schema dev.pipeline.schema.LogEvent")
                .hasMessageContaining("NAME_MISMATCH");
    }

    @Test
    void writerSchemaWithIncompatibleFieldType() {
        // same record name, but 'host' became an int: resolution cannot turn it into a string
        Schema evolved = new Schema.Parser().parse(LogEvent.getClassSchema().toString()
                .replace("{\"name\":\"host\",\"type\":{\"type\":\"string\",\"avro.java.string\":\"String\"}}",
                        "{\"name\":\"host\",\"type\":\"int\"}"));
        assertThat(evolved.getField("host").schema().getType()).isEqualTo(Schema.Type.INT);
        int id = registry.register("other-value", evolved);

        assertRejected(withId(id, new byte[] {2, 'e'}))
                .hasMessageContaining("writer schema id " + id)
                .hasMessageContaining("TYPE_MISMATCH at /fields/3/type");
    }

    @Test
    void garbageWithHugeStringLengthFailsWithoutAllocating() {
        // eventId length varint = 2^31-1: must fail on the short input, not try to allocate 2 GB
        byte[] payload = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 'a'};

        assertRejected(withId(1, payload))
                .hasMessageContaining("invalid Avro payload for schema id 1: truncated: string length 2147483647");
    }

    @Test
    void garbageNegativeLength() {
        assertRejected(withId(1, new byte[] {1, 'a', 'b'})).hasMessageContaining("negative string length -1");
    }

    @Test
    void goodBytesStillDecodeAfterAllThat() {
        List<byte[]> bad = List.of(new byte[0], new byte[] {9}, withId(77, new byte[0]));
        bad.forEach(b -> assertThatThrownBy(() -> serde.deserialize("logs-raw", b))
                .isInstanceOf(SerializationException.class));

        assertThat(serde.deserialize("logs-raw", good)).isEqualTo(TestRecords.logEvent());
    }

    @Property(tries = 300)
    void randomPayloadBehindAValidHeaderNeverLeaksOtherExceptions(@ForAll @Size(max = 64) byte[] payload) {
        byte[] bytes = withId(1, payload);
        try {
            LogEvent decoded = serde.deserialize("logs-raw", bytes);
            assertThat(decoded).isNotNull(); // rare, but random bytes can be a valid LogEvent
        } catch (SerializationException e) {
            assertThat(e).hasMessageStartingWith("Cannot deserialize record from topic 'logs-raw': ");
        }
    }

    @Property(tries = 300)
    void randomBytesNeverLeakOtherExceptions(@ForAll @Size(max = 40) byte[] bytes) {
        try {
            serde.deserialize("logs-raw", bytes);
        } catch (SerializationException e) {
            assertThat(e.getMessage()).contains("logs-raw");
        }
    }

    @Test
    void cachedIncompatibilityIsReportedEveryTime() {
        SchemaVersion orders = new SchemaVersion("x", 1, registry.register("x", OrderEvent.getClassSchema()),
                OrderEvent.getClassSchema());
        byte[] bytes = withId(orders.id(), new byte[] {2, 'a'});

        for (int i = 0; i < 2; i++) {
            assertRejected(bytes).hasMessageContaining("is incompatible with reader schema");
        }
    }
    @Test
    void garbageWithHugeMapCount() {
        LogEvent e = TestRecords.logEvent();
        e.setAttributes(java.util.Map.of());
        byte[] noAttributes = serde.serialize("logs-raw", e);
        // the record ends with the empty map's 0 terminator: make it a zig-zag count of 2^30 entries
        byte[] bytes = Arrays.copyOf(noAttributes, noAttributes.length + 4);
        int end = noAttributes.length - 1;
        bytes[end] = (byte) 0x80;
        bytes[end + 1] = (byte) 0x80;
        bytes[end + 2] = (byte) 0x80;
        bytes[end + 3] = (byte) 0x80;
        bytes[end + 4] = 0x08;

        assertRejected(bytes).hasMessageContaining("truncated: block of 1073741824 items");
    }

    @Test
    void unionBranchOutOfRange() {
        LogEvent e = TestRecords.logEvent();
        e.setTraceId(null);
        e.setAttributes(java.util.Map.of());
        byte[] bytes = serde.serialize("logs-raw", e);
        // traceId's union index is the byte before the map terminator
        bytes[bytes.length - 2] = 6;

        assertRejected(bytes).hasMessageContaining("union index 3 out of range");
    }

    @Test
    void enumIndexOutOfRange() {
        LogEvent e = TestRecords.logEvent();
        e.setMessage("");
        e.setTraceId(null);
        e.setAttributes(java.util.Map.of());
        byte[] bytes = serde.serialize("logs-raw", e);
        // layout ends with: level (varint), message length 0, union index 0, map terminator 0
        bytes[bytes.length - 4] = 40; // zig-zag 20, LogLevel has 6 symbols

        assertRejected(bytes).hasMessageContaining("enum index 20 out of range for dev.pipeline.schema.LogLevel");
    }
}
