package dev.pipeline.load;

import dev.pipeline.config.PolicyKeys;
import dev.pipeline.kafka.Topics;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Bad input for the two input topics, as the raw key/value bytes a misbehaving producer could
 * send, each with the {@link DropReason} the pipeline must record for it. Shared by the
 * bad-input integration test and {@code produce --malformed}.
 *
 * <p>Wire-level damage (not Confluent Avro, unknown or incompatible schema, malformed Avro) must
 * fail in the value deserializer: {@link DropReason#DESERIALIZATION}. Records that decode but
 * break a rule of the pipeline's input contract are {@link DropReason#PROCESSING}; the rules,
 * checked before anything else (so before lateness or state):
 * <ul>
 *   <li>key and value present, key non-empty and equal to the value's {@code service}
 *       (logs) or {@code orderId} (orders);</li>
 *   <li>{@code eventId} non-empty; every string at most
 *       {@value PolicyKeys#VALIDATION_MAX_STRING_CHARS_DEFAULT} chars (the default of
 *       {@code validation.max.string.chars});</li>
 *   <li>{@code timestamp} in {@code [0, now + validation.max.future.skew.ms]};</li>
 *   <li>orders: {@code amountCents >= 0}.</li>
 * </ul>
 * Every entry has a distinct name, event id and (orders) order id, so entries do not interact
 * through pipeline state. The corpus is deterministic apart from {@code nowMs}. This file holds
 * the API and the encoding helpers; the entries are built by {@link CorpusBuilder} and its
 * per-topic {@link LogsCorpus} and {@link OrdersCorpus}.
 */
public final class BadRecordCorpus {
    private BadRecordCorpus() {}

    /** A schema id no registry hands out (ids are small and dense). */
    public static final int UNKNOWN_SCHEMA_ID = 2_000_000_000;
    /** Length an "oversized" string has: well over the validation limit, well under a 1 MB request. */
    public static final int OVERSIZED_CHARS = 4 * PolicyKeys.VALIDATION_MAX_STRING_CHARS_DEFAULT;
    /** 10000-01-01T00:00:00Z. */
    public static final long FAR_FUTURE_MS = 253_402_300_800_000L;
    static final long SEED = 20_261_122L;

    /** Which input topic an entry is for. */
    public enum Target {
        LOGS_RAW, ORDERS;

        public String topic(Topics topics) {
            return this == LOGS_RAW ? topics.logsRaw() : topics.orders();
        }
    }

    /**
     * One bad record. {@code key} or {@code value} may be null (a null key / a tombstone).
     * {@code why} says what is wrong and which rule catches it.
     */
    public record Entry(String name, Target target, byte[] key, byte[] value, DropReason expected, String why) {
        @Override
        public String toString() {
            return target + "/" + name + " -> " + expected.label();
        }
    }

    /**
     * Registers a schema under a subject and returns its id (a schema registry client's
     * {@code register}); the corpus needs real ids for its "valid bytes, wrong schema" kinds.
     */
    @FunctionalInterface
    public interface SchemaIds {
        int register(String subject, Schema schema);
    }

    /** Every entry for both input topics. */
    public static List<Entry> all(Topics topics, SchemaIds ids, long nowMs) {
        List<Entry> out = new ArrayList<>(forTarget(Target.LOGS_RAW, topics, ids, nowMs));
        out.addAll(forTarget(Target.ORDERS, topics, ids, nowMs));
        return List.copyOf(out);
    }

    /** Every entry for one input topic. */
    public static List<Entry> forTarget(Target target, Topics topics, SchemaIds ids, long nowMs) {
        return target == Target.LOGS_RAW ? new LogsCorpus(topics, ids, nowMs).entries()
                : new OrdersCorpus(topics, ids, nowMs).entries();
    }

    /** The subject of a topic's values (TopicNameStrategy). */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    /** Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary. */
    public static byte[] wireFormat(int schemaId, byte[] avroBody) {
        return ByteBuffer.allocate(5 + avroBody.length).put((byte) 0).putInt(schemaId).put(avroBody).array();
    }

    /** Avro binary of a generated record, no header. */
    public static byte[] avroBody(SpecificRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A valid LogEvent for {@code service}, stamped {@code nowMs}. */
    public static LogEvent validLogEvent(String eventId, String service, long nowMs) {
        return LogEvent.newBuilder().setEventId(eventId).setTimestamp(Instant.ofEpochMilli(nowMs)).setService(service)
                .setHost("host-1").setLevel(LogLevel.INFO).setMessage("ok " + eventId).setTraceId(null)
                .setAttributes(Map.of()).build();
    }

    /** A valid CREATED OrderEvent for {@code orderId}, stamped {@code nowMs}. */
    public static OrderEvent validOrderEvent(String eventId, String orderId, long nowMs) {
        return OrderEvent.newBuilder().setEventId(eventId).setOrderId(orderId).setCustomerId("customer-1")
                .setType(OrderEventType.CREATED).setAmountCents(1_999).setCurrency("EUR")
                .setTimestamp(Instant.ofEpochMilli(nowMs)).build();
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Hand-written Avro, field by field, so single fields can be corrupted. */
    static byte[] avro(Consumer<BinaryEncoder> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        fields.accept(enc);
        try {
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Encoder calls that cannot fail on a byte array; keeps the field lambdas short. */
    interface Io {
        void run() throws IOException;

        static void io(Io io) {
            try {
                io.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Test hook: the hand-written encoders, to check them against Avro's own writer. */
    static byte[] handWritten(SpecificRecord record) {
        if (record instanceof LogEvent l) {
            return LogsCorpus.logEventBody(l, l.getLevel().ordinal(), l.getTraceId() == null ? 0 : 1);
        }
        OrderEvent o = (OrderEvent) record;
        return OrdersCorpus.orderEventBody(o, o.getType().ordinal());
    }
}
