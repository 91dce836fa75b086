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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * through pipeline state. The corpus is deterministic apart from {@code nowMs}.
 */
public final class BadRecordCorpus {
    private BadRecordCorpus() {}

    /** A schema id no registry hands out (ids are small and dense). */
    public static final int UNKNOWN_SCHEMA_ID = 2_000_000_000;
    /** Length an "oversized" string has: well over the validation limit, well under a 1 MB request. */
    public static final int OVERSIZED_CHARS = 4 * PolicyKeys.VALIDATION_MAX_STRING_CHARS_DEFAULT;
    /** 10000-01-01T00:00:00Z. */
    public static final long FAR_FUTURE_MS = 253_402_300_800_000L;
    private static final long SEED = 20_261_122L;

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
        return target == Target.LOGS_RAW ? new Logs(topics, ids, nowMs).entries() : new Orders(topics, ids, nowMs).entries();
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

    /** The kinds every input topic gets; subclasses add the topic's own. */
    private abstract static class Builder {
        final Target target;
        final long nowMs;
        final int ownId;
        final int otherId;
        final byte[] otherBody;
        final Random random = new Random(SEED);
        final List<Entry> entries = new ArrayList<>();

        Builder(Target target, int ownId, int otherId, byte[] otherBody, long nowMs) {
            this.target = target;
            this.ownId = ownId;
            this.otherId = otherId;
            this.otherBody = otherBody;
            this.nowMs = nowMs;
        }

        /** The record key an entry uses (also the service / order id of its value). */
        abstract String keyOf(String name);

        /** A valid body for the entry {@code name}. */
        abstract byte[] validBody(String name);

        /** A body like {@link #validBody} with the enum field's symbol index replaced. */
        abstract byte[] bodyWithEnumIndex(String name, int index);

        void add(String name, byte[] key, byte[] value, DropReason reason, String why) {
            entries.add(new Entry(name, target, key, value, reason, why));
        }

        void deser(String name, byte[] value, String why) {
            add(name, utf8(keyOf(name)), value, DropReason.DESERIALIZATION, why);
        }

        List<Entry> common() {
            byte[] random64 = new byte[64];
            random.nextBytes(random64);
            random64[0] = (byte) (1 + random.nextInt(255));
            deser("random-bytes", random64, "64 random bytes: not the wire format (magic byte not 0)");
            deser("empty-value", new byte[0], "zero-length value: no magic byte, no schema id");
            deser("json-not-avro", utf8("{\"eventId\":\"x\",\"note\":\"JSON, not Avro\"}"), "JSON text: magic byte '{'");
            byte[] wrongMagic = wireFormat(ownId, validBody("wrong-magic-byte"));
            wrongMagic[0] = 0x01;
            deser("wrong-magic-byte", wrongMagic, "valid record behind magic byte 0x01");
            deser("short-header", new byte[] {0, 0, 0}, "3 bytes: header cut inside the schema id");
            deser("header-only", wireFormat(ownId, new byte[0]), "magic byte and valid schema id, no Avro data");
            deser("unknown-schema-id", wireFormat(UNKNOWN_SCHEMA_ID, validBody("unknown-schema-id")),
                    "schema id " + UNKNOWN_SCHEMA_ID + " is not in the registry");
            deser("avro-without-header", validBody("avro-without-header"),
                    "plain Avro binary, no wire-format header (first byte is a string length)");
            byte[] full = validBody("truncated-avro");
            deser("truncated-avro", wireFormat(ownId, Arrays.copyOf(full, full.length / 2)), "record cut in half");
            byte[] body = validBody("trailing-bytes");
            byte[] trailing = Arrays.copyOf(body, body.length + 3);
            trailing[body.length] = 1;
            deser("trailing-bytes", wireFormat(ownId, trailing), "valid record followed by 3 extra bytes");
            deser("wrong-schema", wireFormat(otherId, otherBody),
                    "valid Avro of the other input topic's record type, with its registered id");
            deser("schema-id-of-other-type", wireFormat(otherId, validBody("schema-id-of-other-type")),
                    "this topic's record bytes labelled with the other record type's schema id");
            deser("invalid-enum-index", wireFormat(ownId, bodyWithEnumIndex("invalid-enum-index", 42)),
                    "enum symbol index 42 (the enum has fewer symbols)");
            deser("negative-enum-index", wireFormat(ownId, bodyWithEnumIndex("negative-enum-index", -1)),
                    "enum symbol index -1");
            deser("negative-string-length", wireFormat(ownId, avro(e -> Io.io(() -> {
                e.writeLong(-5);
                e.writeFixed(utf8("abcdefgh"));
            }))), "first string field declares length -5");
            deser("absurd-string-length", wireFormat(ownId, avro(e -> Io.io(() -> {
                e.writeLong(1_500_000_000L);
                e.writeFixed(utf8("abc"));
            }))), "first string field declares 1.5 GB in a 13-byte record: must fail without allocating it");
            deser("varint-overflow", wireFormat(ownId, avro(e -> Io.io(() -> {
                e.writeString("corpus-varint-overflow");
                e.writeFixed(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1});
            }))), "second field starts with a 12-byte varint (at most 10 are allowed)");
            deser("string-beyond-payload", wireFormat(ownId, avro(e -> Io.io(() -> {
                e.writeLong(50);
                e.writeFixed(utf8("abc"));
            }))), "first string field declares 50 bytes, 3 follow");
            return entries;
        }

        void processingRules(Consumer<String> oversized, Consumer<String> emptyEventId,
                Consumer<String> negativeTs, Consumer<String> futureTs, Consumer<String> keyMismatch) {
            add("null-value", utf8(keyOf("null-value")), null, DropReason.PROCESSING,
                    "tombstone (null value): an input event is required");
            add("null-key", null, wireFormat(ownId, validBody("null-key")), DropReason.PROCESSING,
                    "valid value with a null key");
            add("empty-key", new byte[0], wireFormat(ownId, validBody("empty-key")), DropReason.PROCESSING,
                    "valid value with an empty key");
            keyMismatch.accept("key-mismatch");
            emptyEventId.accept("empty-event-id");
            oversized.accept("oversized-string");
            negativeTs.accept("negative-timestamp");
            futureTs.accept("far-future-timestamp");
        }
    }

    private static final class Logs extends Builder {
        Logs(Topics topics, SchemaIds ids, long nowMs) {
            super(Target.LOGS_RAW,
                    ids.register(valueSubject(topics.logsRaw()), LogEvent.getClassSchema()),
                    ids.register(valueSubject(topics.orders()), OrderEvent.getClassSchema()),
                    avroBody(validOrderEvent("corpus-logs-wrong-schema", "corpus-logs-wrong-schema", nowMs)),
                    nowMs);
        }

        @Override
        String keyOf(String name) {
            return "corpus-svc-" + name;
        }

        LogEvent valid(String name) {
            return validLogEvent("corpus-logs-" + name, keyOf(name), nowMs);
        }

        @Override
        byte[] validBody(String name) {
            return avroBody(valid(name));
        }

        @Override
        byte[] bodyWithEnumIndex(String name, int index) {
            return logEventBody(valid(name), index, 0);
        }

        List<Entry> entries() {
            common();
            deser("invalid-union-index", wireFormat(ownId, logEventBody(valid("invalid-union-index"), 2, 7)),
                    "traceId union branch 7 (the union has 2)");
            deser("absurd-map-block-count", wireFormat(ownId, avro(e -> Io.io(() -> {
                LogEvent v = valid("absurd-map-block-count");
                writeLogEventPrefix(e, v, v.getLevel().ordinal(), 0);
                e.writeLong(1_000_000_000L);
                e.writeString("k");
            }))), "attributes map declares 10^9 entries, one follows");
            processingRules(
                    n -> rule(n, builder(valid(n)).setMessage("x".repeat(OVERSIZED_CHARS)).build(),
                            "message of " + OVERSIZED_CHARS + " chars"),
                    n -> rule(n, builder(valid(n)).setEventId("").build(), "empty eventId"),
                    n -> rule(n, builder(valid(n)).setTimestamp(Instant.ofEpochMilli(-1_000)).build(),
                            "timestamp -1000 (before the epoch)"),
                    n -> rule(n, builder(valid(n)).setTimestamp(Instant.ofEpochMilli(FAR_FUTURE_MS)).build(),
                            "timestamp in the year 10000"),
                    n -> rule(n, builder(valid(n)).setService("another-service").build(),
                            "key differs from the value's service"));
            return List.copyOf(entries);
        }

        private static LogEvent.Builder builder(LogEvent v) {
            return LogEvent.newBuilder(v);
        }

        private void rule(String name, LogEvent value, String why) {
            add(name, utf8(keyOf(name)), wireFormat(ownId, avroBody(value)), DropReason.PROCESSING, why);
        }

        /** LogEvent by hand: eventId, timestamp, service, host, level, message, traceId, attributes. */
        static byte[] logEventBody(LogEvent v, int levelIndex, int traceBranch) {
            return avro(e -> Io.io(() -> {
                writeLogEventPrefix(e, v, levelIndex, traceBranch);
                e.writeMapStart();
                e.setItemCount(v.getAttributes().size());
                for (Map.Entry<String, String> a : v.getAttributes().entrySet()) {
                    e.startItem();
                    e.writeString(a.getKey());
                    e.writeString(a.getValue());
                }
                e.writeMapEnd();
            }));
        }

        private static void writeLogEventPrefix(BinaryEncoder e, LogEvent v, int levelIndex, int traceBranch)
                throws IOException {
            e.writeString(v.getEventId());
            e.writeLong(v.getTimestamp().toEpochMilli());
            e.writeString(v.getService());
            e.writeString(v.getHost());
            e.writeEnum(levelIndex);
            e.writeString(v.getMessage());
            e.writeIndex(traceBranch);
            if (traceBranch == 1) {
                e.writeString(v.getTraceId());
            }
        }
    }

    private static final class Orders extends Builder {
        Orders(Topics topics, SchemaIds ids, long nowMs) {
            super(Target.ORDERS,
                    ids.register(valueSubject(topics.orders()), OrderEvent.getClassSchema()),
                    ids.register(valueSubject(topics.logsRaw()), LogEvent.getClassSchema()),
                    avroBody(validLogEvent("corpus-orders-wrong-schema", "corpus-orders-wrong-schema", nowMs)),
                    nowMs);
        }

        @Override
        String keyOf(String name) {
            return "corpus-order-" + name;
        }

        OrderEvent valid(String name) {
            return validOrderEvent("corpus-orders-" + name, keyOf(name), nowMs);
        }

        @Override
        byte[] validBody(String name) {
            return avroBody(valid(name));
        }

        @Override
        byte[] bodyWithEnumIndex(String name, int index) {
            return orderEventBody(valid(name), index);
        }

        List<Entry> entries() {
            common();
            processingRules(
                    n -> rule(n, builder(valid(n)).setCustomerId("c".repeat(OVERSIZED_CHARS)).build(),
                            "customerId of " + OVERSIZED_CHARS + " chars"),
                    n -> rule(n, builder(valid(n)).setEventId("").build(), "empty eventId"),
                    n -> rule(n, builder(valid(n)).setTimestamp(Instant.ofEpochMilli(-1_000)).build(),
                            "timestamp -1000 (before the epoch)"),
                    n -> rule(n, builder(valid(n)).setTimestamp(Instant.ofEpochMilli(FAR_FUTURE_MS)).build(),
                            "timestamp in the year 10000"),
                    n -> rule(n, builder(valid(n)).setOrderId("another-order").build(),
                            "key differs from the value's orderId"));
            rule("negative-amount", builder(valid("negative-amount")).setAmountCents(-500).build(),
                    "amountCents -500");
            return List.copyOf(entries);
        }

        private static OrderEvent.Builder builder(OrderEvent v) {
            return OrderEvent.newBuilder(v);
        }

        private void rule(String name, OrderEvent value, String why) {
            add(name, utf8(keyOf(name)), wireFormat(ownId, avroBody(value)), DropReason.PROCESSING, why);
        }

        /** OrderEvent by hand: eventId, orderId, customerId, type, amountCents, currency, timestamp. */
        static byte[] orderEventBody(OrderEvent v, int typeIndex) {
            return avro(e -> Io.io(() -> {
                e.writeString(v.getEventId());
                e.writeString(v.getOrderId());
                e.writeString(v.getCustomerId());
                e.writeEnum(typeIndex);
                e.writeLong(v.getAmountCents());
                e.writeString(v.getCurrency());
                e.writeLong(v.getTimestamp().toEpochMilli());
            }));
        }
    }

    /** Test hook: the hand-written encoders, to check them against Avro's own writer. */
    static byte[] handWritten(SpecificRecord record) {
        if (record instanceof LogEvent l) {
            return Logs.logEventBody(l, l.getLevel().ordinal(), l.getTraceId() == null ? 0 : 1);
        }
        OrderEvent o = (OrderEvent) record;
        return Orders.orderEventBody(o, o.getType().ordinal());
    }
}
