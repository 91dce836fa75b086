package dev.pipeline.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.kafka.registry.InMemorySchemaRegistryClient;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.testing.ConfluentWire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

/** LogEvent v2 adds an optional {@code region} with a default: old and new data must both read. */
class SchemaEvolutionTest {
    static final Schema V1 = LogEvent.getClassSchema();
    static final Schema V2 = withField(V1, new Schema.Field("region",
            SchemaBuilder.unionOf().nullType().and().stringType().endUnion(), "Added in v2.", Schema.NULL_VALUE));

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroSerde<LogEvent> serde = new AvroSerde<>(registry, LogEvent.class);

    @Test
    void addingAnOptionalFieldWithDefaultIsBackwardCompatible() {
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(V2, V1).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        registry.register("logs-raw-value", V1);
        assertThat(registry.isCompatible("logs-raw-value", V2)).isTrue();
    }

    @Test
    void addingAFieldWithoutDefaultIsNot() {
        Schema noDefault = withField(V1, new Schema.Field("region", Schema.create(Schema.Type.STRING)));

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(noDefault, V1).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void evolvedReaderReadsOldDataWithTheDefault() throws IOException {
        byte[] old = serde.serialize("logs-raw", TestRecords.logEvent());
        Schema writer = registry.getById(ByteBuffer.wrap(old, 1, 4).getInt());

        GenericRecord read = new GenericDatumReader<GenericRecord>(writer, V2)
                .read(null, DecoderFactory.get().binaryDecoder(old, 5, old.length - 5, null));

        assertThat(read.get("region")).isNull();
        assertThat(read.get("eventId").toString()).isEqualTo("e-1");
        assertThat(read.get("message").toString()).isEqualTo("slow response: 812 ms");
    }

    @Test
    void appReaderReadsDataFromAnEvolvedWriter() throws IOException {
        registry.register("logs-raw-value", V1);
        int v2Id = registry.register("logs-raw-value", V2);
        GenericRecord record = new GenericData.Record(V2);
        LogEvent expected = TestRecords.logEvent();
        for (Schema.Field f : V1.getFields()) {
            record.put(f.name(), expected.get(f.name()));
        }
        // generic records hold the plain Avro forms of the enum and the timestamp
        record.put("level", new GenericData.EnumSymbol(V2.getField("level").schema(), expected.getLevel().name()));
        record.put("timestamp", expected.getTimestamp().toEpochMilli());
        record.put("region", "eu-west-1");

        LogEvent read = serde.deserialize("logs-raw", ConfluentWire.frame(v2Id, V2, record));

        assertThat(read).isEqualTo(expected);
    }

    private static Schema withField(Schema base, Schema.Field added) {
        List<Schema.Field> fields = new ArrayList<>();
        base.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        fields.add(added);
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }
}
