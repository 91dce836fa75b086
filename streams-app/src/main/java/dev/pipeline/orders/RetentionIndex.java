package dev.pipeline.orders;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The terminal orders of a task by the stream time at which they may be deleted
 * ({@value OrdersPipeline#RETENTION_STORE}), in chunks: key = {@link TimerKeys#key} of the
 * earliest deletion time in the chunk and that order's id; value = the ids of up to
 * {@value #CHUNK_MAX_BYTES} bytes of orders whose deletion times lie within {@value #CHUNK_SPAN_MS}
 * ms of it ({@code [int length][UTF-8]} each).
 *
 * <p>Why chunks: an entry per ended order was 44% of the rows the orders pipeline wrote to RocksDB
 * and its changelogs in the bench (99,041 of 225,714 for 300,000 events). The orders that end within
 * a commit interval share one or two chunks, which the write-back map writes once per commit.
 *
 * <p>Deletion stays exact: {@link #due} hands out the ids of every chunk whose key time has come;
 * the caller judges each by the order's state ({@link Judge}) and the chunk keeps the ids not due
 * yet under the key of the earliest of them. A key time is never later than the deletion time of
 * any id in its chunk, so no order is deleted late by more than the punctuation it waits for.
 */
final class RetentionIndex {
    /** Largest chunk value: 4 KiB, about 250 typical order ids. */
    static final int CHUNK_MAX_BYTES = 4096;
    /** Widest range of deletion times in one chunk; a wider chunk would be re-keyed more often. */
    static final long CHUNK_SPAN_MS = 1_000;

    /** What {@link Judge#judge} returns when it is done with an id. */
    static final long DONE = -1;

    /** Judges one due id by its order's state. */
    interface Judge {
        /**
         * Deletes the order if it is due; returns {@link #DONE} then, and also when the order is gone
         * or open again (it gets a new entry when it ends); else the order's later deletion time, to
         * keep it (the retention was raised since it was indexed).
         */
        long judge(String orderId);
    }

    private final KeyValueStore<Bytes, byte[]> store;
    /** The chunk this task appends to; null after init, so a restored or revived task starts a new one. */
    private Chunk open;

    private record Chunk(Bytes key, long first, byte[] ids) {}

    RetentionIndex(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    /** Indexes a terminal order: appended to the open chunk when its deletion time fits in it. */
    void add(String orderId, long deletableAt) {
        byte[] id = orderId.getBytes(StandardCharsets.UTF_8);
        Chunk c = open;
        if (c == null || deletableAt < c.first() || deletableAt - c.first() >= CHUNK_SPAN_MS
                || c.ids().length + 4 + id.length > CHUNK_MAX_BYTES) {
            c = new Chunk(TimerKeys.key(deletableAt, orderId), deletableAt, new byte[0]);
        }
        open = new Chunk(c.key(), c.first(), append(c.ids(), id));
        store.put(open.key(), open.ids());
    }

    /**
     * Judges at most {@code max} ids of the chunks due at {@code streamTime}. Ids the judge
     * keeps stay, re-keyed by their earliest deletion time; ids left unjudged keep
     * the chunk's key and come first, so the next call gets to them before the kept ones.
     * Returns the number of ids judged.
     */
    int due(long streamTime, int max, Judge judge) {
        List<KeyValue<Bytes, List<String>>> chunks = new ArrayList<>();
        int ids = 0;
        try (KeyValueIterator<Bytes, byte[]> it = store.range(null, TimerKeys.dueUpTo(streamTime))) {
            while (ids < max && it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                List<String> members = members(kv);
                chunks.add(KeyValue.pair(kv.key, members));
                ids += members.size();
            }
        }
        int judged = 0;
        for (KeyValue<Bytes, List<String>> chunk : chunks) {
            if (open != null && open.key().equals(chunk.key)) {
                open = null; // rewritten below: appends go to a new chunk
            }
            List<String> members = chunk.value;
            int n = Math.min(members.size(), max - judged);
            judged += n;
            List<String> rest = new ArrayList<>(members.subList(n, members.size()));
            List<String> kept = new ArrayList<>();
            long keepFirst = Long.MAX_VALUE;
            String keepFirstId = null;
            for (String orderId : members.subList(0, n)) {
                long at = judge.judge(orderId);
                if (at != DONE) {
                    kept.add(orderId);
                    if (at < keepFirst) {
                        keepFirst = at;
                        keepFirstId = orderId;
                    }
                }
            }
            if (!rest.isEmpty()) {
                rest.addAll(kept);
                store.put(chunk.key, encode(rest));
            } else {
                store.delete(chunk.key);
                if (keepFirstId != null) {
                    Bytes key = TimerKeys.key(keepFirst, keepFirstId);
                    if (open != null && open.key().equals(key)) {
                        open = null; // merged below, so appends must not overwrite it from a stale copy
                    }
                    byte[] existing = store.get(key);
                    if (existing != null) {
                        kept.addAll(0, decode(existing));
                    }
                    store.put(key, encode(kept));
                }
            }
        }
        return judged;
    }

    /**
     * A chunk's ids. An empty value is an entry of the format before chunks (one row per order, the
     * id in the key, an empty mark as the value), so state written by the previous release is
     * still deleted on time.
     */
    private static List<String> members(KeyValue<Bytes, byte[]> chunk) {
        return chunk.value.length == 0 ? List.of(TimerKeys.orderId(chunk.key)) : decode(chunk.value);
    }

    static List<String> decode(byte[] value) {
        List<String> ids = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(value);
        while (b.remaining() >= 4) {
            int len = b.getInt();
            ids.add(new String(value, b.position(), len, StandardCharsets.UTF_8));
            b.position(b.position() + len);
        }
        return ids;
    }

    private static byte[] append(byte[] ids, byte[] id) {
        return ByteBuffer.allocate(ids.length + 4 + id.length).put(ids).putInt(id.length).put(id).array();
    }

    private static byte[] encode(List<String> ids) {
        List<byte[]> utf8 = ids.stream().map(id -> id.getBytes(StandardCharsets.UTF_8)).toList();
        ByteBuffer out = ByteBuffer.allocate(utf8.stream().mapToInt(id -> 4 + id.length).sum());
        utf8.forEach(id -> out.putInt(id.length).put(id));
        return out.array();
    }
}
