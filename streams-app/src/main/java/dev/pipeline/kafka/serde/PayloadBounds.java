package dev.pipeline.kafka.serde;

import org.apache.avro.Schema;

/**
 * Walks Avro binary along the writer schema without allocating anything. Avro's decoder trusts
 * length prefixes and allocates first (a garbage string length of 2^31 means a 2 GB buffer and an
 * OutOfMemoryError that kills the stream thread), so every length and item count is checked
 * against the bytes actually left before Avro is allowed to read the payload.
 */
final class PayloadBounds {
    private static final int MAX_DEPTH = 256;

    private final byte[] buf;
    private final int limit;
    private int pos;

    private PayloadBounds(byte[] buf, int offset) {
        this.buf = buf;
        this.pos = offset;
        this.limit = buf.length;
    }

    /** Returns null if the bytes from {@code offset} to the end hold exactly one datum, else why not. */
    static String check(Schema writer, byte[] buf, int offset) {
        PayloadBounds walk = new PayloadBounds(buf, offset);
        try {
            walk.datum(writer, 0);
        } catch (Malformed e) {
            return e.getMessage();
        }
        return walk.pos == walk.limit ? null : (walk.limit - walk.pos) + " bytes left over after the record";
    }

    private static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private void datum(Schema s, int depth) throws Malformed {
        if (depth > MAX_DEPTH) {
            throw new Malformed("nested deeper than " + MAX_DEPTH + " levels");
        }
        switch (s.getType()) {
            case NULL -> { }
            case BOOLEAN -> skip(1, "boolean");
            case INT, LONG -> varLong(s.getType().getName());
            case ENUM -> {
                long index = varLong("enum index");
                if (index < 0 || index >= s.getEnumSymbols().size()) {
                    throw new Malformed("enum index " + index + " out of range for " + s.getFullName()
                            + " at byte " + pos);
                }
            }
            case FLOAT -> skip(4, "float");
            case DOUBLE -> skip(8, "double");
            case FIXED -> skip(s.getFixedSize(), "fixed " + s.getFullName());
            case STRING, BYTES -> skip(length(s.getType().getName()), s.getType().getName());
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    datum(f.schema(), depth + 1);
                }
            }
            case UNION -> {
                long branch = varLong("union index");
                if (branch < 0 || branch >= s.getTypes().size()) {
                    throw new Malformed("union index " + branch + " out of range at byte " + pos);
                }
                datum(s.getTypes().get((int) branch), depth + 1);
            }
            case ARRAY -> blocks(s.getElementType(), false, depth);
            case MAP -> blocks(s.getValueType(), true, depth);
            default -> throw new Malformed("unsupported schema type " + s.getType());
        }
    }

    private void blocks(Schema item, boolean mapEntries, int depth) throws Malformed {
        for (long count = varLong("block count"); count != 0; count = varLong("block count")) {
            if (count < 0) {
                count = -count; // a negative count is followed by the block's size in bytes
                length("block size");
            }
            // every item our schemas use takes at least one byte; an array of nulls longer than the
            // payload is refused too, rather than allocated
            if (count > limit - pos) {
                throw new Malformed("truncated: block of " + count + " items at byte " + pos + ", only " + (limit - pos)
                        + " bytes left");
            }
            for (long i = 0; i < count; i++) {
                if (mapEntries) {
                    skip(length("map key"), "map key");
                }
                datum(item, depth + 1);
            }
        }
    }

    private int length(String what) throws Malformed {
        long length = varLong(what, " length");
        if (length < 0) {
            throw new Malformed("negative " + what + " length " + length + " at byte " + pos);
        }
        if (length > limit - pos) {
            throw new Malformed("truncated: " + what + " length " + length + " at byte " + pos + ", only "
                    + (limit - pos) + " bytes left");
        }
        return (int) length;
    }

    private void skip(int n, String what) throws Malformed {
        if (n > limit - pos) {
            throw new Malformed("truncated: " + what + " needs " + n + " bytes, " + (limit - pos) + " left");
        }
        pos += n;
    }

    private long varLong(String what) throws Malformed {
        return varLong(what, "");
    }

    /** Zig-zag varint, as Avro encodes int and long; the name is {@code what + suffix}, joined only for an error. */
    private long varLong(String what, String suffix) throws Malformed {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw new Malformed("truncated: " + what + suffix + " runs past the end");
            }
            byte b = buf[pos++];
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new Malformed("varint for " + what + suffix + " longer than 10 bytes");
    }
}
