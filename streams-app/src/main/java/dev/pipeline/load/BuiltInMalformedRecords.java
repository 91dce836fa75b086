package dev.pipeline.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * A small bad-input corpus: every kind fails the Confluent-wire-format Avro deserializer (none
 * is a null value, which deserializes to null rather than failing). Stand-in for the policy
 * package's corpus.
 */
public final class BuiltInMalformedRecords implements MalformedRecords {
    /** The kinds, in the order {@link #next} cycles through them at random. */
    public enum Kind { RANDOM_BYTES, EMPTY, WRONG_MAGIC, UNKNOWN_SCHEMA_ID, TRUNCATED, TRAILING_GARBAGE, PLAIN_JSON }

    @Override
    public RawRecord next(Random random, RawRecord valid) {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        return of(kind, random, valid);
    }

    public static RawRecord of(Kind kind, Random random, RawRecord valid) {
        byte[] v = valid.value();
        byte[] value = switch (kind) {
            case RANDOM_BYTES -> {
                byte[] b = new byte[1 + random.nextInt(200)];
                random.nextBytes(b);
                b[0] = (byte) (1 + random.nextInt(255)); // never a valid magic byte
                yield b;
            }
            case EMPTY -> new byte[0];
            case WRONG_MAGIC -> {
                byte[] b = v.clone();
                b[0] = 0x01;
                yield b;
            }
            case UNKNOWN_SCHEMA_ID -> {
                byte[] b = v.clone();
                ByteBuffer.wrap(b, 1, 4).putInt(Integer.MAX_VALUE - random.nextInt(1000));
                yield b;
            }
            case TRUNCATED -> Arrays.copyOf(v, Math.max(6, v.length / 2));
            case TRAILING_GARBAGE -> {
                byte[] b = Arrays.copyOf(v, v.length + 1 + random.nextInt(8));
                Arrays.fill(b, v.length, b.length, (byte) 0x5a);
                yield b;
            }
            case PLAIN_JSON -> "{\"eventId\":\"not-avro\"}".getBytes(StandardCharsets.UTF_8);
        };
        return new RawRecord(valid.key(), value);
    }
}
