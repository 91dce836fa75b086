package dev.pipeline.logs;

import dev.pipeline.kafka.WrappingStoreBuilder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The bounded per-service buffer of one task: the whole mechanism in one store, modelled on
 * {@code suppress()}'s {@code InMemoryTimeOrderedKeyValueChangeBuffer} (the processor only decides
 * what to flush or evict, and when).
 *
 * <p><b>Design.</b> Events are held in memory as their <em>original input bytes</em> behind a
 * {@value #ENVELOPE}-byte envelope, appended to per-service chunks of at most
 * {@value #CHUNK_MAX_ENTRIES} events / {@value #CHUNK_MAX_BYTES} bytes. A chunk changed since
 * the last commit is dirty. Before every commit Kafka Streams calls {@link #flushCache()} (from
 * {@code StreamTask.prepareCommit}, ahead of the offsets or the transaction, the way it flushes
 * its record caches and suppress buffers): each dirty chunk is written <em>once</em> to a
 * changelogged RocksDB store keyed by chunk id, and an emptied chunk is deleted. A chunk filled
 * and emitted between two commits never reaches the store. On a restart or a hand-over Kafka
 * Streams restores that store from its changelog and {@link #load} rebuilds the index from it,
 * so a crash loses nothing consumed and a task that moves goes on where it stopped, with no
 * output at close. Batches handed to the external sink stay here (as the batch's bytes) until
 * their delivery ends, and are submitted again by the next owner.
 *
 * <p><b>Cost per event</b>, where the previous design (one store row per event) paid two cached
 * store writes, two changelog records and an Avro encode: no serialization (the input's bytes
 * are kept), one memory copy on arrival, and the store write and changelog record of its chunk
 * shared with the chunk's other events, only when the chunk is still buffered at a commit
 * (at most {@code 1/CHUNK_MAX_ENTRIES} record per event for busy services; a quiet service's open
 * chunk is rewritten at each commit that changed it).
 *
 * <p><b>Bounds.</b> {@link #records()} and {@link #bytes()} (envelope + event bytes, the figures
 * the caps apply to) cover everything held; the processor checks them before each append. The
 * heap it takes is at most about twice that (chunk arrays grow by doubling, up to
 * {@value #CHUNK_MAX_BYTES} bytes each), the RocksDB rows as much again, off-heap.
 * Used by the stream thread only.
 *
 * <p>Kafka Streams has no public pre-commit hook: this store implements the internal
 * {@link CachedStateStore} for {@code flushCache()}, which {@code ProcessorStateManager} calls on
 * every top-level store of that type before a commit (checked in Kafka 4.3's source; the crash
 * and hand-over integration tests hold it to that).
 */
final class LogsBuffer implements StateStore, CachedStateStore<Long, byte[]> {
    static final int ENVELOPE = 49;
    static final int CHUNK_MAX_ENTRIES = 256;
    static final int CHUNK_MAX_BYTES = 64 * 1024;

    private static final byte KIND_CHUNK = 0x10;
    private static final byte KIND_SINK_BATCH = 0x11;
    /** The format of the previous design: one event per row, keyed by its sequence number. */
    private static final byte KIND_LEGACY_EVENT = 0x01;

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

    private final KeyValueStore<Long, byte[]> store;
    private final Map<String, ServiceQueue> services = new HashMap<>();
    /** Non-empty services by the sequence number of their oldest event: the oldest first. */
    private final TreeMap<Long, ServiceQueue> byOldest = new TreeMap<>();
    private final LinkedHashSet<ServiceQueue> full = new LinkedHashSet<>();
    private final List<Chunk> dirty = new ArrayList<>();
    private final Map<Long, byte[]> heldForSink = new LinkedHashMap<>();
    /** Sink batches changed since the last commit: id → bytes, or null for a deletion. */
    private final Map<Long, byte[]> dirtySink = new HashMap<>();
    private int batchMaxRecords = Integer.MAX_VALUE;
    private long nextSeq;
    private long records;
    private long bytes;

    private LogsBuffer(KeyValueStore<Long, byte[]> store) {
        this.store = store;
    }

    /** Changelogged RocksDB underneath, no record cache (this store is its own cache). */
    static StoreBuilder<LogsBuffer> builder(String name) {
        return builder(Stores.persistentKeyValueStore(name));
    }

    /** Over another store (tests: in memory). */
    static StoreBuilder<LogsBuffer> builder(KeyValueBytesStoreSupplier rows) {
        // no record cache: this store is its own cache
        return new WrappingStoreBuilder<>(Stores.keyValueStoreBuilder(rows, Serdes.Long(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of()), LogsBuffer::new);
    }

    /** Bytes an event of {@code eventBytes} counts against {@code logs.buffer.max.bytes}. */
    static long entrySize(int eventBytes) {
        return ENVELOPE + (long) eventBytes;
    }

    /**
     * Rebuilds the index from the store (Kafka Streams has restored it by the time a processor
     * starts). {@code batchMaxRecords} makes a service "full" for {@link #firstFull()}.
     */
    void load(int batchMaxRecords) {
        this.batchMaxRecords = batchMaxRecords;
        services.clear();
        byOldest.clear();
        full.clear();
        dirty.clear();
        heldForSink.clear();
        dirtySink.clear();
        records = 0;
        bytes = 0;
        List<Chunk> chunks = new ArrayList<>();
        long maxId = -1;
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Long, byte[]> kv = it.next();
                maxId = Math.max(maxId, kv.key);
                switch (kv.value[0]) {
                    case KIND_CHUNK -> chunks.add(decodeChunk(kv.key, kv.value));
                    case KIND_SINK_BATCH -> heldForSink.put(kv.key, Arrays.copyOfRange(kv.value, 1, kv.value.length));
                    case KIND_LEGACY_EVENT -> chunks.add(decodeLegacy(kv.key, kv.value));
                    default -> throw new IllegalStateException("logs buffer row " + kv.key + " of unknown kind " + kv.value[0]);
                }
            }
        }
        chunks.sort((a, b) -> Long.compare(a.id, b.id));
        for (Chunk c : chunks) {
            ServiceQueue q = services.computeIfAbsent(c.service, ServiceQueue::new);
            boolean wasEmpty = q.records == 0;
            q.chunks.addLast(c);
            q.records += c.live;
            q.bytes += c.end - c.head;
            records += c.live;
            bytes += c.end - c.head;
            for (int p = c.head; p < c.end; p = next(c.buf, p)) {
                maxId = Math.max(maxId, (long) LONG.get(c.buf, p + SEQ));
            }
            if (wasEmpty) {
                byOldest.put(c.headSeq(), q);
            }
            if (q.records >= batchMaxRecords) {
                full.add(q);
            }
        }
        nextSeq = maxId + 1;
    }

    /** Appends one event; the caller has checked the caps. Returns how many events its service now holds. */
    int append(String service, long arrivalMs, long recordTs, long eventTs, int level, int partition, long offset,
            byte[] event) {
        ServiceQueue q = services.computeIfAbsent(service, ServiceQueue::new);
        long seq = nextSeq++;
        Chunk c = q.chunks.peekLast();
        int size = ENVELOPE + event.length;
        if (c == null || c.live >= CHUNK_MAX_ENTRIES || (c.end > 0 && c.end + size > CHUNK_MAX_BYTES)) {
            c = new Chunk(seq, service, Math.min(CHUNK_MAX_BYTES, Math.max(size, 4 * size)));
            q.chunks.addLast(c);
        }
        c.append(seq, arrivalMs, recordTs, eventTs, level, partition, offset, event);
        markDirty(c);
        if (q.records == 0) {
            byOldest.put(seq, q);
        }
        q.records++;
        q.bytes += size;
        records++;
        bytes += size;
        if (q.records >= batchMaxRecords) {
            full.add(q);
        }
        return q.records;
    }

    /**
     * Removes up to {@code max} of the service's oldest events and summarises them for a batch.
     *
     * @param samples how many of the oldest events' bytes to keep in the summary
     * @return null when the service holds nothing
     */
    Taken take(String service, int max, int samples) {
        ServiceQueue q = services.get(service);
        if (q == null || q.records == 0) {
            return null;
        }
        Taken.Builder t = new Taken.Builder(service, samples);
        long oldHead = q.chunks.peekFirst().headSeq();
        while (t.count < max && q.records > 0) {
            Chunk c = q.chunks.peekFirst();
            int p = c.head;
            t.add(c.buf, p, (long) LONG.get(c.buf, p + ARRIVAL), (long) LONG.get(c.buf, p + RECORD_TS),
                    (long) LONG.get(c.buf, p + EVENT_TS), c.buf[p + LEVEL], (int) INT.get(c.buf, p + LENGTH));
            removeHead(q);
        }
        reindex(q, oldHead);
        return t.build();
    }

    /** Removes the task's oldest event and returns it (for DROP_OLDEST); null when empty. */
    Evicted evictOldest() {
        Map.Entry<Long, ServiceQueue> oldest = byOldest.firstEntry();
        if (oldest == null) {
            return null;
        }
        ServiceQueue q = oldest.getValue();
        Chunk c = q.chunks.peekFirst();
        int p = c.head;
        int len = (int) INT.get(c.buf, p + LENGTH);
        Evicted e = new Evicted(q.service, Arrays.copyOfRange(c.buf, p + ENVELOPE, p + ENVELOPE + len),
                (long) LONG.get(c.buf, p + RECORD_TS), (int) INT.get(c.buf, p + PARTITION),
                (long) LONG.get(c.buf, p + OFFSET));
        long oldHead = c.headSeq();
        removeHead(q);
        reindex(q, oldHead);
        return e;
    }

    /** Removes the service's oldest event; the caller then {@link #reindex}es it once. */
    private void removeHead(ServiceQueue q) {
        Chunk c = q.chunks.peekFirst();
        int size = next(c.buf, c.head) - c.head;
        c.head += size;
        c.live--;
        markDirty(c);
        if (c.live == 0) {
            q.chunks.pollFirst();
            c.buf = null;
        }
        q.records--;
        q.bytes -= size;
        records--;
        bytes -= size;
    }

    /** The service's place in the indexes after events left it (its oldest was {@code oldHead}). */
    private void reindex(ServiceQueue q, long oldHead) {
        byOldest.remove(oldHead);
        if (q.records > 0) {
            byOldest.put(q.chunks.peekFirst().headSeq(), q);
        }
        if (q.records < batchMaxRecords) {
            full.remove(q);
        }
    }

    int count(String service) {
        ServiceQueue q = services.get(service);
        return q == null ? 0 : q.records;
    }

    /** A service holding at least a batch, or null. */
    String firstFull() {
        return full.isEmpty() ? null : full.iterator().next().service;
    }

    /** The service holding the task's oldest event, or null when empty. */
    String oldestService() {
        Map.Entry<Long, ServiceQueue> e = byOldest.firstEntry();
        return e == null ? null : e.getValue().service;
    }

    /** Wall clock at which the task's oldest event arrived; only when not empty. */
    long oldestArrivalMs() {
        Chunk c = byOldest.firstEntry().getValue().chunks.peekFirst();
        return (long) LONG.get(c.buf, c.head + ARRIVAL);
    }

    boolean isEmpty() {
        return records == 0;
    }

    long records() {
        return records;
    }

    long bytes() {
        return bytes;
    }

    int services() {
        return byOldest.size();
    }

    /** Rows in the store underneath (chunks and sink batches as of the last commit), counted: O(rows). */
    long storedRows() {
        long n = 0;
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            for (; it.hasNext(); it.next()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Rows the store holds once the next commit is written: one per chunk, one per batch in
     * delivery. Exact, unlike RocksDB's estimate, which also counts overwrites and deletions not
     * yet compacted.
     */
    long rows() {
        long n = heldForSink.size();
        for (ServiceQueue q : services.values()) {
            n += q.chunks.size();
        }
        return n;
    }

    /** Keeps a batch handed to the external sink until its delivery ends; returns its id. */
    long holdForSink(byte[] batch) {
        long id = nextSeq++;
        heldForSink.put(id, batch);
        dirtySink.put(id, batch);
        return id;
    }

    void releaseFromSink(long id) {
        if (heldForSink.remove(id) != null) {
            dirtySink.put(id, null);
        }
    }

    /** Batches whose delivery had not ended when the store was last committed (to submit again). */
    Map<Long, byte[]> heldForSink() {
        return Map.copyOf(heldForSink);
    }

    private void markDirty(Chunk c) {
        if (!c.dirty) {
            c.dirty = true;
            dirty.add(c);
        }
    }

    /** Before each commit: every chunk changed since the last one written once, emptied ones deleted. */
    @Override
    public void flushCache() {
        for (Chunk c : dirty) {
            c.dirty = false;
            if (c.live > 0) {
                store.put(c.id, c.encode());
                c.persisted = true;
            } else if (c.persisted) {
                store.put(c.id, null);
                c.persisted = false;
            }
        }
        dirty.clear();
        for (Map.Entry<Long, byte[]> e : dirtySink.entrySet()) {
            store.put(e.getKey(), e.getValue() == null ? null : kind(KIND_SINK_BATCH, e.getValue()));
        }
        dirtySink.clear();
        if (store instanceof CachedStateStore<?, ?> layers) {
            // only this store is called before the commit: should the rows underneath be cached, flush them too
            layers.flushCache();
        }
    }

    /** The task's state is being discarded (an aborted transaction, a dirty close): so is this index. */
    @Override
    public void clearCache() {
        dirty.clear();
        dirtySink.clear();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Long, byte[]> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return store.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        store.init(context, root);
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        store.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return store.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return store.managesOffsets();
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public boolean persistent() {
        return store.persistent();
    }

    @Override
    public boolean isOpen() {
        return store.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return store.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return store.getPosition();
    }

    private static int next(byte[] buf, int p) {
        return p + ENVELOPE + (int) INT.get(buf, p + LENGTH);
    }

    private static byte[] kind(byte kind, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = kind;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    private static Chunk decodeChunk(long id, byte[] v) {
        int serviceLen = ((v[1] & 0xff) << 8) | (v[2] & 0xff);
        String service = new String(v, 3, serviceLen, StandardCharsets.UTF_8);
        int start = 3 + serviceLen;
        Chunk c = new Chunk(id, service, v.length - start);
        System.arraycopy(v, start, c.buf, 0, v.length - start);
        c.end = v.length - start;
        for (int p = 0; p < c.end; p = next(c.buf, p)) {
            c.live++;
        }
        c.persisted = true;
        return c;
    }

    /** {@code [1][arrival][recordTs][eventTs][level][partition][offset][service length][service][event]}. */
    private static Chunk decodeLegacy(long seq, byte[] v) {
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
        Chunk c = new Chunk(seq, new String(s, StandardCharsets.UTF_8), ENVELOPE + event.length);
        c.append(seq, arrival, recordTs, eventTs, level, partition, offset, event);
        c.persisted = true;
        return c;
    }

    /** One service's events, oldest first, in chunks. */
    private static final class ServiceQueue {
        final String service;
        final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
        int records;
        long bytes;

        ServiceQueue(String service) {
            this.service = service;
        }
    }

    /** Consecutive events of one service, stored under one key; consumed from the head. */
    private static final class Chunk {
        final long id;
        final String service;
        byte[] buf;
        int head;
        int end;
        int live;
        boolean dirty;
        boolean persisted;

        Chunk(long id, String service, int capacity) {
            this.id = id;
            this.service = service;
            this.buf = new byte[capacity];
        }

        long headSeq() {
            return (long) LONG.get(buf, head + SEQ);
        }

        void append(long seq, long arrivalMs, long recordTs, long eventTs, int level, int partition, long offset,
                byte[] event) {
            int size = ENVELOPE + event.length;
            if (end + size > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(end + size, Math.min(CHUNK_MAX_BYTES, buf.length * 2)));
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
    }

    /** An event removed by DROP_OLDEST, with what its dead-letter record needs. */
    record Evicted(String service, byte[] event, long recordTs, int partition, long offset) {}

    /**
     * The summary of the events one flush took, oldest first.
     *
     * @param countByLevel events per {@code LogLevel} ordinal
     * @param eventBytes the events' own serialized size (the batch's {@code bytes})
     * @param samples the oldest events' bytes, at most the number asked for
     */
    record Taken(String service, int count, long[] countByLevel, long windowStartMs, long firstEventTs,
            long lastEventTs, long maxRecordTs, long eventBytes, List<byte[]> samples) {

        private static final class Builder {
            private final String service;
            private final int maxSamples;
            private final long[] byLevel = new long[8];
            private final List<byte[]> samples = new ArrayList<>();
            private int count;
            private long windowStart;
            private long first = Long.MAX_VALUE;
            private long last = Long.MIN_VALUE;
            private long maxRecordTs = Long.MIN_VALUE;
            private long eventBytes;

            Builder(String service, int maxSamples) {
                this.service = service;
                this.maxSamples = maxSamples;
            }

            void add(byte[] buf, int p, long arrival, long recordTs, long eventTs, int level, int len) {
                if (count == 0) {
                    windowStart = arrival;
                }
                count++;
                byLevel[level & 7]++;
                first = Math.min(first, eventTs);
                last = Math.max(last, eventTs);
                maxRecordTs = Math.max(maxRecordTs, recordTs);
                eventBytes += len;
                if (samples.size() < maxSamples) {
                    samples.add(Arrays.copyOfRange(buf, p + ENVELOPE, p + ENVELOPE + len));
                }
            }

            Taken build() {
                return new Taken(service, count, byLevel, windowStart, first, last, maxRecordTs, eventBytes, samples);
            }
        }
    }
}
