package dev.pipeline.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The app's one Jackson mapper for the JSON it serves, sends and stores (HTTP APIs, {@code lag
 * --json}, the HTTP sink's bodies, the schema registry's REST API and {@code _schemas} records, the
 * bench's report), configured once so every output follows the same rules. A mapper is thread-safe
 * once configured; nothing may reconfigure it after start. It sits in a leaf package that imports
 * nothing of the app, so every layer may use it, the registry at the bottom included.
 *
 * <p>Generated Avro records are written from their schema: one field per schema field, in schema
 * order, timestamps as ISO-8601 instants and enums by name, so a JSON body never lists a record's
 * fields a second time.
 */
public final class Json {
    /** Compact output; an empty bean is written as {@code {}} rather than failing the response. */
    public static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .registerModule(new SimpleModule("avro-records").addSerializer(SpecificRecord.class, new RecordSerializer()));
    /** Indented output, for what people read (the HTTP routes' responses, the bench's JSON file). */
    public static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private Json() {}

    private static final class RecordSerializer extends StdSerializer<SpecificRecord> {
        RecordSerializer() {
            super(SpecificRecord.class);
        }

        @Override
        public void serialize(SpecificRecord record, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            for (Schema.Field f : record.getSchema().getFields()) {
                gen.writeFieldName(f.name());
                Object v = record.get(f.pos());
                if (v instanceof Instant || v instanceof Enum<?> || v instanceof CharSequence) {
                    gen.writeString(v instanceof Enum<?> e ? e.name() : v.toString());
                } else {
                    provider.defaultSerializeValue(v, gen);
                }
            }
            gen.writeEndObject();
        }
    }
}
