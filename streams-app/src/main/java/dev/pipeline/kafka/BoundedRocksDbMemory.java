package dev.pipeline.kafka;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the off-heap memory of every RocksDB store in the process (Kafka Streams' "bounded memory"
 * recipe): one LRU block cache, which also holds index and filter blocks, and one
 * {@link WriteBufferManager} that charges memtables to that cache, shared by all stores of all
 * pipelines, active and standby. Without it each store instance takes its own ~50 MB block cache
 * and up to 3 x 16 MB of memtables, and the total grows with tasks x stores.
 *
 * <p>{@code PipelineApplication} installs it as {@code rocksdb.config.setter} when
 * {@code rocksdb.memory.max.bytes} is above 0 and passes the budget as {@link #TOTAL_BYTES_CONFIG}.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** The budget in bytes, in the Streams configuration the setter receives. */
    public static final String TOTAL_BYTES_CONFIG = "pipeline.rocksdb.memory.max.bytes";
    /** Memtables may fill at most this share of the budget before RocksDB flushes them. */
    static final double MEMTABLE_SHARE = 0.5;
    /** Share of the cache reserved for index and filter blocks (high priority, rarely evicted). */
    static final double INDEX_FILTER_SHARE = 0.1;
    private static final Logger LOG = LoggerFactory.getLogger(BoundedRocksDbMemory.class);

    /** The cache and manager every store of the process shares; RocksDB keeps them for the process' life. */
    record Shared(long totalBytes, Cache cache, WriteBufferManager writeBuffers) {}

    private static Shared shared;

    static synchronized Shared shared(long totalBytes) {
        if (shared == null) {
            Cache cache = new LRUCache(totalBytes, -1, false, INDEX_FILTER_SHARE);
            shared = new Shared(totalBytes, cache, new WriteBufferManager((long) (totalBytes * MEMTABLE_SHARE), cache));
            LOG.info("RocksDB memory of all stores capped at {} bytes (memtables at most {})", totalBytes,
                    (long) (totalBytes * MEMTABLE_SHARE));
        } else if (shared.totalBytes() != totalBytes) {
            LOG.warn("RocksDB memory cap already set to {} bytes in this process; ignoring {}", shared.totalBytes(), totalBytes);
        }
        return shared;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object budget = configs.get(TOTAL_BYTES_CONFIG);
        if (budget == null) {
            throw new IllegalStateException(getClass().getName() + " needs " + TOTAL_BYTES_CONFIG
                    + " in the Streams configuration (set rocksdb.memory.max.bytes)");
        }
        Shared s = shared(Long.parseLong(budget.toString()));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(s.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(s.writeBuffers());
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the manager are shared by every store: closing one store must not free them
    }
}
