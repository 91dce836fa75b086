package dev.pipeline.kafka.serde;

import dev.pipeline.kafka.registry.SchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.registry.SchemaRegistryException;
import dev.pipeline.kafka.registry.SchemaVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro serde for one generated class in Confluent's wire format: byte 0 = 0x00, bytes 1-4 the
 * big-endian schema id, then Avro binary. Subjects follow TopicNameStrategy ({@code <topic>-value}
 * or {@code <topic>-key}). Values are read with the generated class's schema, resolved against
 * the writer's schema fetched by id, so evolved writers work as long as they are compatible.
 *
 * <p>Every malformed input fails with a {@link SerializationException} naming the topic and the
 * problem, which Kafka Streams routes to its deserialization exception handler. The instance is
 * its own serializer and deserializer and is thread safe.
 */
public class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    static final byte MAGIC_BYTE = 0x00;
    static final int HEADER_SIZE = 5;
    // writer ids come off the wire; a flood of distinct valid ids must not grow this without bound
    private static final int MAX_CACHED_READERS = 1000;

    private final Class<T> type;
    private final Schema readerSchema;
    private final SpecificData model;
    private final DatumWriter<T> writer;
    private final boolean clientGiven;
    private final Map<String, WritePlan> writeByTopic = new ConcurrentHashMap<>();
    private final Map<Integer, ReaderPlan<T>> readerByWriterId = new ConcurrentHashMap<>();
    private volatile SchemaRegistryClient client;
    private volatile boolean isKey;
    private volatile boolean autoRegister = true;
    private volatile boolean useLatestVersion;

    /** A value serde that is ready to use. */
    public AvroSerde(SchemaRegistryClient client, Class<T> type) {
        this(client, type, false);
    }

    /** Ready to use; {@code isKey} picks the {@code <topic>-key} subject. */
    public AvroSerde(SchemaRegistryClient client, Class<T> type, boolean isKey) {
        this(type, Objects.requireNonNull(client, "client"), isKey);
    }

    /**
     * A serde that gets its registry from {@link #configure}: {@code schema.registry.url}, {@code
     * basic.auth.user.info}, {@code auto.register.schemas}, {@code use.latest.version} (see
     * {@link SchemaRegistryClients}).
     */
    public AvroSerde(Class<T> type) {
        this(type, null, false);
    }

    private AvroSerde(Class<T> type, SchemaRegistryClient client, boolean isKey) {
        this.type = Objects.requireNonNull(type, "type");
        this.model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
        this.writer = new SpecificDatumWriter<>(readerSchema, model);
        this.client = client;
        this.clientGiven = client != null;
        this.isKey = isKey;
    }

    /** A serde configured from Confluent-style properties. */
    public static <T extends SpecificRecord> AvroSerde<T> configured(Class<T> type, Map<String, ?> configs,
            boolean isKey) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(configs, isKey);
        return serde;
    }

    /**
     * Sets key/value mode, {@code auto.register.schemas} and {@code use.latest.version}; builds the
     * registry client from the configs unless one was passed to the constructor (code that chose a
     * client wins).
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        this.autoRegister = SchemaRegistryClients.autoRegister(configs);
        this.useLatestVersion = SchemaRegistryClients.useLatestVersion(configs);
        if (!clientGiven) {
            this.client = SchemaRegistryClients.create(configs);
        }
        writeByTopic.clear();
        readerByWriterId.clear();
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    /** Nothing to release: the registry client may be shared with other serdes. */
    @Override
    public void close() {}

    public Schema schema() {
        return readerSchema;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        WritePlan plan = writePlanFor(topic);
        Scratch scratch = SCRATCH.get();
        Scratch.Buffer out = scratch.out;
        out.reset();
        out.write(MAGIC_BYTE);
        int id = plan.id();
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            BinaryEncoder encoder = scratch.encoder = EncoderFactory.get().directBinaryEncoder(out, scratch.encoder);
            if (plan.recoder() == null) {
                writer.write(data, encoder);
            } else {
                plan.recoder().write(data, encoder);
            }
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            // e.g. a null in a non-null field: Avro throws NPE or AvroRuntimeException
            throw new SerializationException("Cannot serialize " + type.getSimpleName() + " for topic '" + topic
                    + "': " + e, e);
        }
        return out.copy();
    }

    private WritePlan writePlanFor(String topic) {
        // keyed by topic: building the subject name per record was a string concatenation per record
        WritePlan cached = writeByTopic.get(topic);
        if (cached != null) {
            return cached;
        }
        String subject = topic + (isKey ? "-key" : "-value");
        SchemaRegistryClient registry = requireClient();
        WritePlan plan;
        try {
            plan = autoRegister ? new WritePlan(registry.register(subject, readerSchema), null) : latestPlan(registry, subject);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot serialize " + type.getSimpleName() + " for topic '" + topic
                    + "': no schema id for subject '" + subject + "': " + e.getMessage(), e);
        }
        writeByTopic.put(topic, plan);
        return plan;
    }

    /**
     * With auto-registration off, the subject's latest version is used as is when it encodes
     * exactly like ours (equal Parsing Canonical Forms: docs and defaults differ only for
     * readers). Any other latest version only with {@code use.latest.version}, and only if it can
     * read our records: they are then re-encoded into it, so its id never labels bytes of ours.
     */
    private WritePlan latestPlan(SchemaRegistryClient registry, String subject) {
        SchemaVersion latest;
        try {
            latest = registry.latest(subject);
        } catch (SchemaRegistryException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            throw new SchemaRegistryException(e.httpStatus(), e.errorCode(), "auto.register.schemas is false and the "
                    + "subject is not found in the registry, so there is no version to write with: register "
                    + readerSchema.getFullName() + " under it first (" + e.getMessage() + ")", e);
        }
        if (SchemaNormalization.parsingFingerprint64(latest.schema())
                == SchemaNormalization.parsingFingerprint64(readerSchema)) {
            return new WritePlan(latest.id(), null);
        }
        String which = "the latest version (" + latest.version() + ", id " + latest.id() + ")";
        if (!useLatestVersion) {
            throw new SchemaRegistryException(409, 409, "auto.register.schemas is false and " + which
                    + " is not the schema of " + readerSchema.getFullName()
                    + "; use.latest.version=true writes with it if it can read these records");
        }
        SchemaPairCompatibility check = SchemaCompatibility.checkReaderWriterCompatibility(latest.schema(), readerSchema);
        if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SchemaRegistryException(409, 409, "use.latest.version is true but " + which
                    + " cannot read records of " + readerSchema.getFullName() + ": " + check.getDescription());
        }
        return new WritePlan(latest.id(), new Recoder<>(writer, readerSchema, latest.schema()));
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.length == 0) {
            throw failure(topic, "empty payload, expected magic byte 0x00, a 4-byte schema id and Avro data");
        }
        if (bytes[0] != MAGIC_BYTE) {
            throw failure(topic, String.format("magic byte 0x%02x, expected 0x00 (not Confluent Avro wire format)",
                    bytes[0] & 0xff));
        }
        if (bytes.length < HEADER_SIZE) {
            throw failure(topic, "truncated header: " + bytes.length + " bytes, expected at least " + HEADER_SIZE
                    + " (magic byte and schema id)");
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        ReaderPlan<T> plan = readerFor(topic, id);
        String problem = PayloadBounds.check(plan.writer(), bytes, HEADER_SIZE);
        if (problem != null) {
            throw failure(topic, "invalid Avro payload for schema id " + id + ": " + problem);
        }
        Scratch scratch = SCRATCH.get();
        BinaryDecoder decoder = scratch.decoder =
                DecoderFactory.get().binaryDecoder(bytes, HEADER_SIZE, bytes.length - HEADER_SIZE, scratch.decoder);
        try {
            return plan.reader().read(null, decoder);
        } catch (IOException | RuntimeException e) {
            // safety net: the bounds and compatibility checks leave little for Avro itself to reject
            throw failure(topic, "invalid Avro payload for schema id " + id + ": " + e, e);
        }
    }

    private ReaderPlan<T> readerFor(String topic, int writerId) {
        ReaderPlan<T> plan = readerByWriterId.get(writerId);
        if (plan == null) {
            plan = plan(topic, writerId);
            if (readerByWriterId.size() >= MAX_CACHED_READERS) {
                readerByWriterId.clear();
            }
            readerByWriterId.put(writerId, plan);
        }
        if (plan.incompatibility() != null) {
            throw failure(topic, plan.incompatibility());
        }
        return plan;
    }

    private ReaderPlan<T> plan(String topic, int writerId) {
        Schema writerSchema;
        try {
            writerSchema = requireClient().getById(writerId);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                throw failure(topic, "unknown schema id " + writerId + " (not in the schema registry)", e);
            }
            throw failure(topic, "cannot fetch writer schema id " + writerId + ": " + e.getMessage(), e);
        }
        SchemaPairCompatibility check = SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
        if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            StringBuilder why = new StringBuilder("writer schema id " + writerId + " (" + writerSchema.getFullName()
                    + ") is incompatible with reader schema " + readerSchema.getFullName() + ":");
            check.getResult().getIncompatibilities().stream().limit(3).forEach(i -> why.append(' ')
                    .append(i.getType()).append(" at ").append(i.getLocation())
                    .append(" (").append(i.getMessage()).append(')'));
            return new ReaderPlan<>(writerSchema, null, why.toString());
        }
        // the datum reader keeps a resolving decoder per writer/reader pair, so one per writer id
        return new ReaderPlan<>(writerSchema, new SpecificDatumReader<>(writerSchema, readerSchema, model), null);
    }

    private SchemaRegistryClient requireClient() {
        SchemaRegistryClient c = client;
        if (c == null) {
            throw new SerializationException("AvroSerde<" + type.getSimpleName() + "> has no schema registry: "
                    + "construct it with a client or call configure() with "
                    + SchemaRegistryClients.SCHEMA_REGISTRY_URL);
        }
        return c;
    }

    private static SerializationException failure(String topic, String problem) {
        return failure(topic, problem, null);
    }

    private static SerializationException failure(String topic, String problem, Throwable cause) {
        return new SerializationException("Cannot deserialize record from topic '" + topic + "': " + problem, cause);
    }

    /**
     * A thread's reusable encoding buffer, encoder and decoder: the stream thread serializes every
     * result and deserializes every input, and a fresh stream, encoder and decoder per record were
     * among its largest allocations (JFR, BENCHMARKS.md). Per thread, so the serde stays thread safe;
     * nothing here holds a record between calls, only capacity (bounded by {@link #MAX_KEPT}).
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        /** A buffer that grew past this (one huge record) is dropped, not kept for the thread's life. */
        static final int MAX_KEPT = 64 * 1024;
        Buffer out = new Buffer();
        BinaryEncoder encoder;
        BinaryDecoder decoder;

        static final class Buffer extends ByteArrayOutputStream {
            Buffer() {
                super(256);
            }

            byte[] copy() {
                byte[] bytes = java.util.Arrays.copyOf(buf, count);
                if (buf.length > MAX_KEPT) {
                    buf = new byte[256];
                }
                return bytes;
            }
        }
    }

    private record ReaderPlan<T>(Schema writer, DatumReader<T> reader, String incompatibility) {}

    /** The id to frame with and, when that schema is not ours, how to re-encode into it. */
    private record WritePlan(int id, Recoder<?> recoder) {}

    /**
     * Our record into another schema that can read it: encode with ours, resolve into a generic
     * record of the target (defaults filled, unknown fields dropped), encode with the target.
     */
    private record Recoder<T>(DatumWriter<T> ours, DatumReader<Object> resolve, DatumWriter<Object> target) {
        Recoder(DatumWriter<T> ours, Schema oursSchema, Schema targetSchema) {
            this(ours, new GenericDatumReader<>(oursSchema, targetSchema), new GenericDatumWriter<>(targetSchema));
        }

        @SuppressWarnings("unchecked")
        void write(Object datum, BinaryEncoder encoder) throws IOException {
            ByteArrayOutputStream own = new ByteArrayOutputStream(128);
            BinaryEncoder ownEncoder = EncoderFactory.get().directBinaryEncoder(own, null);
            ours.write((T) datum, ownEncoder);
            ownEncoder.flush();
            Object resolved = resolve.read(null, DecoderFactory.get().binaryDecoder(own.toByteArray(), null));
            target.write(resolved, encoder);
        }
    }
}
