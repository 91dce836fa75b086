package dev.pipeline.logs;

import dev.pipeline.kafka.WrappingStoreBuilder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

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
 * <p>Kafka Streams has no public pre-commit hook: this store is an internal
 * {@link WrappedStateStore} (a {@link CachedStateStore}, whose lifecycle calls go to the store
 * underneath) for {@code flushCache()}, which {@code ProcessorStateManager} calls on
 * every top-level store of that type before a commit (checked in Kafka 4.3's source; the crash
 * and hand-over integration tests hold it to that).
 */
final class LogsBuffer extends WrappedStateStore<KeyValueStore<Long, byte[]>, Long, byte[]> {
    static final int ENVELOPE = BufferChunk.ENVELOPE;
    static final int CHUNK_MAX_ENTRIES = BufferChunk.MAX_ENTRIES;
    static final int CHUNK_MAX_BYTES = BufferChunk.MAX_BYTES;

    private final KeyValueStore<Long, byte[]> store;
    private final Map<String, ServiceQueue> services = new HashMap<>();
    /** Non-empty services by the sequence number of their oldest event: the oldest first. */
    private final TreeMap<Long, ServiceQueue> byOldest = new TreeMap<>();
    private final LinkedHashSet<ServiceQueue> full = new LinkedHashSet<>();
    private final List<BufferChunk> dirty = new ArrayList<>();
    private final Map<Long, byte[]> heldForSink = new LinkedHashMap<>();
    /** Sink batches changed since the last commit: id → bytes, or null for a deletion. */
    private final Map<Long, byte[]> dirtySink = new HashMap<>();
    private int batchMaxRecords = Integer.MAX_VALUE;
    private long nextSeq;
    private long records;
    private long bytes;

    private LogsBuffer(KeyValueStore<Long, byte[]> store) {
        super(store);
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
        List<BufferChunk> chunks = new ArrayList<>();
        long maxId = -1;
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Long, byte[]> kv = it.next();
                maxId = Math.max(maxId, kv.key);
                switch (kv.value[0]) {
                    case BufferChunk.KIND_CHUNK -> chunks.add(BufferChunk.decode(kv.key, kv.value));
                    case BufferChunk.KIND_SINK_BATCH -> heldForSink.put(kv.key, Arrays.copyOfRange(kv.value, 1, kv.value.length));
                    case BufferChunk.KIND_LEGACY_EVENT -> chunks.add(BufferChunk.decodeLegacy(kv.key, kv.value));
                    default -> throw new IllegalStateException("logs buffer row " + kv.key + " of unknown kind " + kv.value[0]);
                }
            }
        }
        chunks.sort((a, b) -> Long.compare(a.id, b.id));
        for (BufferChunk c : chunks) {
            ServiceQueue q = services.computeIfAbsent(c.service, ServiceQueue::new);
            boolean wasEmpty = q.records == 0;
            q.chunks.addLast(c);
            q.records += c.live;
            q.bytes += c.end - c.head;
            records += c.live;
            bytes += c.end - c.head;
            for (int p = c.head; p < c.end; p = c.next(p)) {
                maxId = Math.max(maxId, c.seq(p));
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
        BufferChunk c = q.chunks.peekLast();
        int size = ENVELOPE + event.length;
        if (c == null || c.full(size)) {
            c = BufferChunk.forEventsOf(seq, service, size);
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
        while (t.count() < max && q.records > 0) {
            t.add(q.chunks.peekFirst());
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
        BufferChunk c = q.chunks.peekFirst();
        int p = c.head;
        Evicted e = new Evicted(q.service, c.event(p), c.recordTs(p), c.partition(p), c.offset(p));
        long oldHead = c.headSeq();
        removeHead(q);
        reindex(q, oldHead);
        return e;
    }

    /** Removes the service's oldest event; the caller then {@link #reindex}es it once. */
    private void removeHead(ServiceQueue q) {
        BufferChunk c = q.chunks.peekFirst();
        int size = c.next(c.head) - c.head;
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
        BufferChunk c = byOldest.firstEntry().getValue().chunks.peekFirst();
        return c.arrival(c.head);
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

    private void markDirty(BufferChunk c) {
        if (!c.dirty) {
            c.dirty = true;
            dirty.add(c);
        }
    }

    /** Before each commit: every chunk changed since the last one written once, emptied ones deleted. */
    @Override
    public void flushCache() {
        for (BufferChunk c : dirty) {
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
            store.put(e.getKey(), e.getValue() == null ? null : BufferChunk.withKind(BufferChunk.KIND_SINK_BATCH, e.getValue()));
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

    /** One service's events, oldest first, in chunks. */
    private static final class ServiceQueue {
        final String service;
        final ArrayDeque<BufferChunk> chunks = new ArrayDeque<>();
        int records;
        long bytes;

        ServiceQueue(String service) {
            this.service = service;
        }
    }
}
