package dev.pipeline.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import dev.pipeline.testing.ConfluentWire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Producers evolving LogEvent against the embedded registry over HTTP, read by the app's serde
 * (configured as the app configures it: from {@code schema.registry.url}). The pipeline-level
 * version of this (interleaved writers on logs-raw and orders, nothing in the DLQ) is
 * {@code cli.SchemaEvolutionIT}; this pins the serde and registry halves of it.
 */
class EmbeddedSchemaRegistryEvolutionTest {
    private static final String SUBJECT = "logs-raw-value";
    // what a producer in another language registers: the .avsc without Java's avro.java.string hints
    private static final Schema V1 = new Schema.Parser().parse(LogEvent.getClassSchema().toString()
            .replace("{\"type\":\"string\",\"avro.java.string\":\"String\"}", "\"string\"")
            .replace(",\"avro.java.string\":\"String\"", ""));
    private static final Schema V2_ADDED_OPTIONAL = withFields(V1, List.of(), new Schema.Field("region",
            SchemaBuilder.unionOf().nullType().and().stringType().endUnion(), null, Schema.NULL_VALUE));
    private static final Schema V3_REMOVED_DEFAULTED = withFields(V2_ADDED_OPTIONAL, List.of("traceId"), null);
    private static final Schema INCOMPATIBLE = withFields(V1, List.of(),
            new Schema.Field("tenant", Schema.create(Schema.Type.STRING)));

    private RegistryHttp http;
    private HttpSchemaRegistryClient producer;
    private AvroSerde<LogEvent> app;

    @BeforeEach
    void serve() throws IOException {
        http = new RegistryHttp(new EmbeddedSchemaRegistry(SchemaStore.inMemory()));
        producer = new HttpSchemaRegistryClient(http.url);
        app = AvroSerde.configured(LogEvent.class,
                Map.of("schema.registry.url", http.url, "auto.register.schemas", false), false);
    }

    @AfterEach
    void stop() {
        http.close();
    }

    @Test
    void appReadsInterleavedV1V2AndRemovedFieldWritersAndRegistersNothing() throws Exception {
        int v1 = producer.register(SUBJECT, V1);
        int v2 = producer.register(SUBJECT, V2_ADDED_OPTIONAL);
        int v3 = producer.register(SUBJECT, V3_REMOVED_DEFAULTED);
        LogEvent event = event();
        List<byte[]> interleaved = List.of(
                ConfluentWire.frame(v1, V1, generic(V1, event)),
                ConfluentWire.frame(v2, V2_ADDED_OPTIONAL, generic(V2_ADDED_OPTIONAL, event)),
                ConfluentWire.frame(v3, V3_REMOVED_DEFAULTED, generic(V3_REMOVED_DEFAULTED, event)),
                ConfluentWire.frame(v1, V1, generic(V1, event)));

        List<LogEvent> read = interleaved.stream().map(bytes -> app.deserialize("logs-raw", bytes)).toList();

        LogEvent withoutTrace = LogEvent.newBuilder(event).setTraceId(null).build();
        assertThat(read).containsExactly(event, event, withoutTrace, event);
        // reading never writes: the input subject keeps exactly the producers' versions
        assertThat(http.ok("GET", "/subjects/" + SUBJECT + "/versions", null)).isEqualTo(RegistryHttp.json("[1,2,3]"));
        assertThat(http.ok("GET", "/subjects", null)).isEqualTo(RegistryHttp.json("[\"" + SUBJECT + "\"]"));
    }

    @Test
    void incompatibleV2IsRefusedWith409() throws Exception {
        producer.register(SUBJECT, V1);

        http.error("POST", "/subjects/" + SUBJECT + "/versions", RegistryHttp.schemaBody(INCOMPATIBLE), 409, 409);
        assertThatThrownBy(() -> producer.register(SUBJECT, INCOMPATIBLE))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                });
        assertThat(http.ok("GET", "/subjects/" + SUBJECT + "/versions", null)).isEqualTo(RegistryHttp.json("[1]"));
    }

    @Test
    void useLatestVersionWritesWithTheProducersNewestVersionOverHttpAndRegistersNothing() throws Exception {
        producer.register(SUBJECT, V1);
        int v2 = producer.register(SUBJECT, V2_ADDED_OPTIONAL);
        AvroSerde<LogEvent> latest = AvroSerde.configured(LogEvent.class, Map.of("schema.registry.url", http.url,
                "auto.register.schemas", false, "use.latest.version", true), false);

        byte[] bytes = latest.serialize("logs-raw", event());

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(v2);
        assertThat(app.deserialize("logs-raw", bytes)).isEqualTo(event());
        assertThat(http.ok("GET", "/subjects/" + SUBJECT + "/versions", null)).isEqualTo(RegistryHttp.json("[1,2]"));
    }

    @Test
    void unknownSchemaIdIsASerializationExceptionAndTheSerdeKeepsWorking() throws Exception {
        int v1 = producer.register(SUBJECT, V1);
        byte[] unknown = ConfluentWire.frame(v1 + 100, V1, generic(V1, event()));

        // SerializationException is what Kafka Streams hands its deserialization handler (the DLQ)
        assertThatThrownBy(() -> app.deserialize("logs-raw", unknown))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(String.valueOf(v1 + 100));
        assertThat(app.deserialize("logs-raw", ConfluentWire.frame(v1, V1, generic(V1, event())))).isEqualTo(event());
    }

    private static LogEvent event() {
        return LogEvent.newBuilder().setEventId("e-1").setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L))
                .setService("checkout").setHost("host-a").setLevel(LogLevel.WARN).setMessage("slow")
                .setTraceId("trace-9").setAttributes(Map.of("pod", "p-1")).build();
    }

    /** The event as another producer's generic record of {@code writer}; v2's new field filled in. */
    private static GenericRecord generic(Schema writer, LogEvent event) {
        GenericRecord record = new GenericData.Record(writer);
        for (Schema.Field f : writer.getFields()) {
            Object value = switch (f.name()) {
                case "region" -> "eu-west-1";
                case "level" -> new GenericData.EnumSymbol(f.schema(), event.getLevel().name());
                case "timestamp" -> event.getTimestamp().toEpochMilli();
                default -> event.get(f.name());
            };
            record.put(f.name(), value);
        }
        return record;
    }

    private static Schema withFields(Schema base, List<String> removed, Schema.Field added) {
        List<Schema.Field> fields = new ArrayList<>();
        base.getFields().stream().filter(f -> !removed.contains(f.name()))
                .forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        if (added != null) {
            fields.add(added);
        }
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }
}
