package dev.pipeline.load;

import static dev.pipeline.load.BadRecordCorpus.UNKNOWN_SCHEMA_ID;
import static dev.pipeline.load.BadRecordCorpus.avro;
import static dev.pipeline.load.BadRecordCorpus.avroBody;
import static dev.pipeline.load.BadRecordCorpus.utf8;
import static dev.pipeline.load.BadRecordCorpus.wireFormat;

import dev.pipeline.load.BadRecordCorpus.Entry;
import dev.pipeline.load.BadRecordCorpus.Io;
import dev.pipeline.load.BadRecordCorpus.Target;
import dev.pipeline.policy.DropReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/**
 * The entries of {@link BadRecordCorpus} every input topic gets, for a record type {@code V}: the
 * wire-level damage ({@link #common}) and the input-contract rules ({@link #processingRules}),
 * written once; {@link LogsCorpus} and {@link OrdersCorpus} say how to build and break their
 * record and add the kinds only their topic has.
 */
abstract class CorpusBuilder<V extends SpecificRecord> {
    final Target target;
    final long nowMs;
    final int ownId;
    final int otherId;
    final byte[] otherBody;
    final Random random = new Random(BadRecordCorpus.SEED);
    final List<Entry> entries = new ArrayList<>();

    CorpusBuilder(Target target, int ownId, int otherId, byte[] otherBody, long nowMs) {
        this.target = target;
        this.ownId = ownId;
        this.otherId = otherId;
        this.otherBody = otherBody;
        this.nowMs = nowMs;
    }

    /** Every entry for the topic, in a fixed order. */
    abstract List<Entry> entries();

    /** The record key an entry uses (also the service / order id of its value). */
    abstract String keyOf(String name);

    /** A valid record for the entry {@code name}. */
    abstract V valid(String name);

    /** A body like {@link #validBody} with the enum field's symbol index replaced. */
    abstract byte[] bodyWithEnumIndex(String name, int index);

    /** {@code v} with one string field far over the length limit. */
    abstract V oversized(V v);

    /** What {@link #oversized} did, for the entry's {@code why}. */
    abstract String oversizedWhy();

    abstract V withEventId(V v, String eventId);

    abstract V withTimestamp(V v, Instant timestamp);

    /** {@code v} whose key field (the value's side of the record key) differs from the key. */
    abstract V withOtherKey(V v);

    /** The value's field the record key must equal. */
    abstract String keyField();

    /** A valid body for the entry {@code name}. */
    byte[] validBody(String name) {
        return avroBody(valid(name));
    }

    void add(String name, byte[] key, byte[] value, DropReason reason, String why) {
        entries.add(new Entry(name, target, key, value, reason, why));
    }

    void deser(String name, byte[] value, String why) {
        add(name, utf8(keyOf(name)), value, DropReason.DESERIALIZATION, why);
    }

    /** A record that decodes but breaks a rule of the input contract. */
    void rule(String name, V value, String why) {
        add(name, utf8(keyOf(name)), wireFormat(ownId, avroBody(value)), DropReason.PROCESSING, why);
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

    void processingRules() {
        add("null-value", utf8(keyOf("null-value")), null, DropReason.PROCESSING,
                "tombstone (null value): an input event is required");
        add("null-key", null, wireFormat(ownId, validBody("null-key")), DropReason.PROCESSING,
                "valid value with a null key");
        add("empty-key", new byte[0], wireFormat(ownId, validBody("empty-key")), DropReason.PROCESSING,
                "valid value with an empty key");
        rule("key-mismatch", withOtherKey(valid("key-mismatch")), "key differs from the value's " + keyField());
        rule("empty-event-id", withEventId(valid("empty-event-id"), ""), "empty eventId");
        rule("oversized-string", oversized(valid("oversized-string")), oversizedWhy());
        rule("negative-timestamp", withTimestamp(valid("negative-timestamp"), Instant.ofEpochMilli(-1_000)),
                "timestamp -1000 (before the epoch)");
        rule("far-future-timestamp", withTimestamp(valid("far-future-timestamp"),
                Instant.ofEpochMilli(BadRecordCorpus.FAR_FUTURE_MS)), "timestamp in the year 10000");
    }
}
