package dev.pipeline.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A per-task write-back map of decoded objects in front of a (metered, changelogged) key-value
 * store: reads see the map first, writes only touch the map, and the map goes down into the store
 * in {@link #flushCache()} — which Kafka Streams calls on every {@code CachedStateStore} in
 * {@code StreamTask.prepareCommit}, <i>before</i> the producer flush and the offset/transaction
 * commit. So the store, its changelog and the committed offsets stay exactly as consistent as
 * with Kafka Streams' own record cache, while an event costs a {@link HashMap} lookup and put
 * instead of a serialization, a metered and locked cache put and a key encoding per operation
 * (the profile had 35-40% of the stream thread in that path). Puts to one key within a commit
 * interval become one store write and one changelog record.
 *
 * <p>The map replaces Kafka Streams' record cache, so {@link #builder} turns that off underneath:
 * with it on, every written-down entry was put into the thread cache, flushed again right after and
 * evicted later (a quarter of the orders thread in the profile). What the cache did for reads, a
 * bounded LRU of <i>clean</i> decoded values (those written down or read since) does without a
 * deserialization. Kafka Streams calls {@link #clearCache()} when it recycles a task between active
 * and standby, whose restoration writes under this map, so no clean value outlives its store.
 *
 * <p>Bounded: past {@code maxEntries} dirty keys the map is written down early (still before the
 * commit), and it keeps at most {@code maxEntries} clean values. Range reads write the map down
 * first and then read the store. Dirty values are dropped, never written, when the task closes or
 * is revived without a commit (its changelog and offsets are rewound the same way). Stream thread
 * only, like every store.
 */
public final class WriteBackStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V> implements KeyValueStore<K, V> {
    /** Marks a key deleted in the map (a null value would read as "not in the map"). */
    private static final Object DELETED = new Object();

    /** A value put by {@link #insertNew}: the store never had the key, so deleting it again needs no write at all. */
    private record Fresh(Object value) {}

    private final int maxEntries;
    private final Map<K, Object> dirty = new HashMap<>();
    /** Values known to equal the store's, least recently used first. */
    private final LinkedHashMap<K, V> clean;

    private WriteBackStore(KeyValueStore<K, V> inner, int maxEntries) {
        super(inner);
        this.maxEntries = maxEntries;
        this.clean = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** Builds {@code inner}'s store without Kafka Streams' record cache and puts the map in front of it. */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner, int maxEntries) {
        return new WrappingStoreBuilder<>(inner.withCachingDisabled(), store -> new WriteBackStore<>(store, maxEntries));
    }

    /**
     * The write-back store under what {@code ProcessorContext.getStateStore} returned (Kafka
     * Streams hands processors a read-write decorator around the registered store).
     */
    @SuppressWarnings("unchecked")
    public static <K, V> WriteBackStore<K, V> unwrap(StateStore store) {
        StateStore s = store;
        for (int depth = 0; depth < 8 && s != null; depth++) {
            if (s instanceof WriteBackStore<?, ?> w) {
                return (WriteBackStore<K, V>) w;
            }
            s = s instanceof WrappedStateStore<?, ?, ?> wrapper ? wrapper.wrapped() : null;
        }
        throw new IllegalStateException("store " + store.name() + " is not behind a WriteBackStore");
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        forget();
        super.init(context, root);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(K key) {
        Object v = dirty.get(key);
        if (v == null) {
            V known = clean.get(key);
            if (known == null) {
                known = wrapped().get(key);
                if (known != null) {
                    clean.put(key, known);
                }
            }
            return known;
        }
        return v == DELETED ? null : (V) (v instanceof Fresh f ? f.value() : v);
    }

    @Override
    public void put(K key, V value) {
        clean.remove(key);
        Object old = dirty.get(key);
        if (old instanceof Fresh) {
            // still unknown to the store: a delete just forgets it, an update stays fresh
            if (value == null) {
                dirty.remove(key);
            } else {
                dirty.put(key, new Fresh(value));
            }
            return;
        }
        dirty.put(key, value == null ? DELETED : value);
        if (dirty.size() > maxEntries) {
            writeDown();
        }
    }

    /**
     * A put of a key the caller knows the store does not hold (e.g. a time index entry made of a
     * time that was just computed): if it is deleted before the next commit, neither the put nor
     * the delete reaches RocksDB or the changelog. A wrong promise costs a stale entry, never a
     * lost one.
     */
    public void insertNew(K key, V value) {
        if (dirty.containsKey(key)) {
            put(key, value);
            return;
        }
        dirty.put(key, new Fresh(value));
        if (dirty.size() > maxEntries) {
            writeDown();
        }
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public V delete(K key) {
        V old = get(key);
        put(key, null);
        return old;
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        writeDown();
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        writeDown();
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        writeDown();
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        writeDown();
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
        writeDown();
        return wrapped().prefixScan(prefix, prefixKeySerializer);
    }

    /** The store's own estimate; writes still in the map are not counted until the next commit. */
    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    /** The pre-commit hook: the map into the store, then the store's own cache into RocksDB and the changelog. */
    @Override
    public void flushCache() {
        writeDown();
        super.flushCache();
    }

    @Override
    public void clearCache() {
        forget();
        super.clearCache();
    }

    @Override
    public void close() {
        forget();
        super.close();
    }

    private void forget() {
        dirty.clear();
        clean.clear();
    }

    /**
     * One {@code putAll} (deletions as null values): under RocksDB one {@code WriteBatch} and one
     * write for the whole map instead of a write per key, and no read before a deletion (the
     * store's {@code delete} reads the old value first, which for a missing key costs RocksDB's JNI
     * a thrown and caught C++ exception). The changelog gets the same records either way.
     */
    @SuppressWarnings("unchecked")
    private void writeDown() {
        if (dirty.isEmpty()) {
            return;
        }
        List<KeyValue<K, V>> batch = new ArrayList<>(dirty.size());
        for (Map.Entry<K, Object> e : dirty.entrySet()) {
            Object v = e.getValue();
            V value = v == DELETED ? null : (V) (v instanceof Fresh f ? f.value() : v);
            batch.add(KeyValue.pair(e.getKey(), value));
        }
        dirty.clear();
        wrapped().putAll(batch);
        for (KeyValue<K, V> kv : batch) {
            if (kv.value != null) {
                clean.put(kv.key, kv.value);
            }
        }
    }
}
