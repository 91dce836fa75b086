package dev.pipeline.logs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The row format of {@link LogsBuffer}: consecutive events of one service, stored under one key
 * and consumed from the head, each as its original input bytes behind a {@value #ENVELOPE}-byte
 * envelope ({@code [seq][arrival][recordTs][eventTs][partition][offset][level][length]}). Also
 * reads the buffer's two other row kinds' framing: sink batches and the previous design's one
 * event per row. Mutable, used by the stream thread only.
 */
final class BufferChunk {
    static final int ENVELOPE = 49;
    static final int MAX_ENTRIES = 256;
    static final int MAX_BYTES = 64 * 1024;

    static final byte KIND_CHUNK = 0x10;
    static final byte KIND_SINK_BATCH = 0x11;
    /** The format of the previous design: one event per row, keyed by its sequence number. */
    static final byte KIND_LEGACY_EVENT = 0x01;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final int SEQ = 0;
    private static final int ARRIVAL = 8;
    private static final int RECORD_TS = 16;
    private static final int EVENT_TS = 24;
    private static final int PARTITION = 32;
    private static final int OFFSET = 36;
    private static final int LEVEL = 44;
    private static final int LENGTH = 45;

    final long id;
    final String service;
    byte[] buf;
    int head;
    int end;
    int live;
    boolean dirty;
    boolean persisted;

    BufferChunk(long id, String service, int capacity) {
        this.id = id;
        this.service = service;
        this.buf = new byte[capacity];
    }

    /** A chunk sized for events of about {@code size} bytes each. */
    static BufferChunk forEventsOf(long id, String service, int size) {
        return new BufferChunk(id, service, Math.min(MAX_BYTES, Math.max(size, 4 * size)));
    }

    /** Whether an entry of {@code size} bytes must start a new chunk. */
    boolean full(int size) {
        return live >= MAX_ENTRIES || (end > 0 && end + size > MAX_BYTES);
    }

    long headSeq() {
        return seq(head);
    }

    /** Where the entry after the one at {@code p} starts. */
    int next(int p) {
        return p + ENVELOPE + length(p);
    }

    long seq(int p) {
        return (long) LONG.get(buf, p + SEQ);
    }

    long arrival(int p) {
        return (long) LONG.get(buf, p + ARRIVAL);
    }

    long recordTs(int p) {
        return (long) LONG.get(buf, p + RECORD_TS);
    }

    long eventTs(int p) {
        return (long) LONG.get(buf, p + EVENT_TS);
    }

    int partition(int p) {
        return (int) INT.get(buf, p + PARTITION);
    }

    long offset(int p) {
        return (long) LONG.get(buf, p + OFFSET);
    }

    int level(int p) {
        return buf[p + LEVEL];
    }

    int length(int p) {
        return (int) INT.get(buf, p + LENGTH);
    }

    /** The event bytes of the entry at {@code p}, copied. */
    byte[] event(int p) {
        return Arrays.copyOfRange(buf, p + ENVELOPE, p + ENVELOPE + length(p));
    }

    void append(long seq, long arrivalMs, long recordTs, long eventTs, int level, int partition, long offset,
            byte[] event) {
        int size = ENVELOPE + event.length;
        if (end + size > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(end + size, Math.min(MAX_BYTES, buf.length * 2)));
        }
        int p = end;
        LONG.set(buf, p + SEQ, seq);
        LONG.set(buf, p + ARRIVAL, arrivalMs);
        LONG.set(buf, p + RECORD_TS, recordTs);
        LONG.set(buf, p + EVENT_TS, eventTs);
        INT.set(buf, p + PARTITION, partition);
        LONG.set(buf, p + OFFSET, offset);
        buf[p + LEVEL] = (byte) level;
        INT.set(buf, p + LENGTH, event.length);
        System.arraycopy(event, 0, buf, p + ENVELOPE, event.length);
        end += size;
        live++;
    }

    /** {@code [kind][service length: 2][service][entries from the head]}. */
    byte[] encode() {
        byte[] s = service.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[3 + s.length + end - head];
        out[0] = KIND_CHUNK;
        out[1] = (byte) (s.length >>> 8);
        out[2] = (byte) s.length;
        System.arraycopy(s, 0, out, 3, s.length);
        System.arraycopy(buf, head, out, 3 + s.length, end - head);
        return out;
    }

    /** {@code body} behind a one-byte row kind. */
    static byte[] withKind(byte kind, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = kind;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** A {@link #KIND_CHUNK} row as {@link #encode} wrote it. */
    static BufferChunk decode(long id, byte[] v) {
        int serviceLen = ((v[1] & 0xff) << 8) | (v[2] & 0xff);
        String service = new String(v, 3, serviceLen, StandardCharsets.UTF_8);
        int start = 3 + serviceLen;
        BufferChunk c = new BufferChunk(id, service, v.length - start);
        System.arraycopy(v, start, c.buf, 0, v.length - start);
        c.end = v.length - start;
        for (int p = 0; p < c.end; p = c.next(p)) {
            c.live++;
        }
        c.persisted = true;
        return c;
    }

    /** {@code [1][arrival][recordTs][eventTs][level][partition][offset][service length][service][event]}. */
    static BufferChunk decodeLegacy(long seq, byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v, 1, v.length - 1);
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
        BufferChunk c = new BufferChunk(seq, new String(s, StandardCharsets.UTF_8), ENVELOPE + event.length);
        c.append(seq, arrival, recordTs, eventTs, level, partition, offset, event);
        c.persisted = true;
        return c;
    }
}
