package dev.pipeline.logs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One buffered event as stored in the buffer store: a small fixed envelope (what the batch and
 * the overflow policies need without decoding the event) followed by the event exactly as the
 * value serde wrote it, so a DLQ record carries the same bytes a consumer of the input would read.
 *
 * @param arrivalMs wall clock when the event entered the buffer (drives TICK flushes)
 * @param recordTs the record's timestamp (stream time; the batch's output timestamp)
 * @param eventTs the event's own timestamp field (first/last timestamp of the batch)
 * @param level ordinal of the event's {@code LogLevel}
 * @param partition source partition, for the DLQ headers of an evicted event
 * @param offset source offset, for the DLQ headers of an evicted event
 * @param event the value serde's bytes of the event
 */
record BufferEntry(String service, long arrivalMs, long recordTs, long eventTs, int level, int partition,
        long offset, byte[] event) {

    private static final byte VERSION = 1;
    /** version + arrival + record ts + event ts + level + partition + offset + service length. */
    private static final int FIXED = 1 + 8 + 8 + 8 + 1 + 4 + 8 + 2;
    /** The store key: an 8-byte sequence number. */
    static final int KEY_BYTES = Long.BYTES;

    byte[] encode() {
        byte[] s = service.getBytes(StandardCharsets.UTF_8);
        if (s.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("service name longer than " + Short.MAX_VALUE + " bytes");
        }
        return ByteBuffer.allocate(FIXED + s.length + event.length)
                .put(VERSION).putLong(arrivalMs).putLong(recordTs).putLong(eventTs).put((byte) level)
                .putInt(partition).putLong(offset).putShort((short) s.length).put(s).put(event)
                .array();
    }

    static BufferEntry decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != VERSION) {
            throw new IllegalStateException("buffer entry version " + version + ", expected " + VERSION);
        }
        long arrival = b.getLong();
        long recordTs = b.getLong();
        long eventTs = b.getLong();
        int level = b.get();
        int partition = b.getInt();
        long offset = b.getLong();
        byte[] s = new byte[b.getShort()];
        b.get(s);
        byte[] event = new byte[b.remaining()];
        b.get(event);
        return new BufferEntry(new String(s, StandardCharsets.UTF_8), arrival, recordTs, eventTs, level, partition,
                offset, event);
    }

    /** Bytes this entry counts against {@code logs.buffer.max.bytes}: store key plus value. */
    static long storedSize(int encodedLength) {
        return KEY_BYTES + (long) encodedLength;
    }

    Pending pending(long seq, int encodedLength) {
        return new Pending(seq, service, arrivalMs, recordTs, eventTs, level, storedSize(encodedLength), event.length);
    }
}
