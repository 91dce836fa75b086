package dev.pipeline.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.kafka.registry.InMemorySchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.schema.LogEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * {@code auto.register.schemas=false} with {@code use.latest.version=true}, as Confluent's
 * serializer reads them: the subject's latest version is written with, never a registration.
 */
class AvroSerdeLatestVersionTest {
    private static final String SUBJECT = "logs-raw-value";
    private static final Map<String, Object> LATEST = Map.of(SchemaRegistryClients.AUTO_REGISTER_SCHEMAS, "false",
            SchemaRegistryClients.USE_LATEST_VERSION, "true");

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    @Test
    void shouldWriteWithTheLatestVersionsIdAndSchemaInsteadOfRegistering() throws IOException {
        registry.register(SUBJECT, LogEvent.getClassSchema());
        int latestId = registry.register(SUBJECT, SchemaEvolutionTest.V2);

        byte[] bytes = serde(LATEST).serialize("logs-raw", TestRecords.logEvent());

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(latestId);
        assertThat(registry.latest(SUBJECT).version()).as("nothing registered").isEqualTo(2);
        // the bytes are the latest schema's encoding, so any reader that trusts the id decodes them
        GenericRecord asWritten = new GenericDatumReader<GenericRecord>(SchemaEvolutionTest.V2)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        assertThat(asWritten.get("region")).isNull();
        assertThat(asWritten.get("eventId")).hasToString("e-1");
        assertThat(serde(Map.of()).deserialize("logs-raw", bytes)).isEqualTo(TestRecords.logEvent());
    }

    @Test
    void shouldUseTheLatestIdAsIsWhenItIsOurSchema() {
        registry.register(SUBJECT, SchemaEvolutionTest.V2);
        int ours = registry.register(SUBJECT, LogEvent.getClassSchema());

        byte[] bytes = serde(LATEST).serialize("logs-raw", TestRecords.logEvent());

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(ours);
        assertThat(serde(Map.of()).deserialize("logs-raw", bytes)).isEqualTo(TestRecords.logEvent());
    }

    @Test
    void shouldRefuseClearlyWhenTheSubjectHasNoVersion() {
        assertThatThrownBy(() -> serde(LATEST).serialize("logs-raw", TestRecords.logEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("subject '" + SUBJECT + "'")
                .hasMessageContaining("auto.register.schemas is false")
                .hasMessageContaining("not found")
                .hasMessageContaining("register dev.pipeline.schema.LogEvent");
        assertThat(registry.subjects()).isEmpty();
    }

    @Test
    void shouldRefuseALatestVersionThatCannotReadOurRecords() {
        Schema required = new Schema.Parser().parse(SchemaEvolutionTest.V2.toString()
                .replace("[\"null\",\"string\"],\"doc\":\"Added in v2.\",\"default\":null", "\"string\""));
        assertThat(required.getField("region").hasDefaultValue()).isFalse();
        registry.register(SUBJECT, required);

        assertThatThrownBy(() -> serde(LATEST).serialize("logs-raw", TestRecords.logEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("use.latest.version is true")
                .hasMessageContaining("cannot read records of dev.pipeline.schema.LogEvent");
    }

    @Test
    void shouldNameUseLatestVersionWhenAForeignLatestIsRefused() {
        registry.register(SUBJECT, SchemaEvolutionTest.V2);

        assertThatThrownBy(() -> serde(Map.of(SchemaRegistryClients.AUTO_REGISTER_SCHEMAS, false))
                .serialize("logs-raw", TestRecords.logEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not the schema of dev.pipeline.schema.LogEvent")
                .hasMessageContaining("use.latest.version=true");
    }

    @Test
    void shouldIgnoreUseLatestVersionWhileAutoRegistering() {
        registry.register(SUBJECT, SchemaEvolutionTest.V2);

        byte[] bytes = serde(Map.of(SchemaRegistryClients.USE_LATEST_VERSION, true)).serialize("logs-raw", TestRecords.logEvent());

        assertThat(registry.latest(SUBJECT).version()).isEqualTo(2);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registry.latest(SUBJECT).id());
    }

    private AvroSerde<LogEvent> serde(Map<String, ?> configs) {
        AvroSerde<LogEvent> serde = new AvroSerde<>(registry, LogEvent.class);
        serde.configure(configs, false);
        return serde;
    }
}
