package dev.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.BoundedRocksDbMemory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** The RocksDB memory cap on real RocksDB options: every store gets the same cache and write-buffer manager. */
class BoundedRocksDbMemoryTest {
    static {
        RocksDB.loadLibrary();
    }

    @Test
    void shouldShareOneCacheAndOneWriteBufferManagerAcrossStores() {
        BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
        Map<String, Object> configs = Map.of(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, 64L * 1024 * 1024);
        try (Options a = withTable(); Options b = withTable()) {
            setter.setConfig("logs-buffer-store", a, configs);
            setter.setConfig("orders-state", b, configs);

            assertThat(a.writeBufferManager()).isNotNull().isSameAs(b.writeBufferManager());
            for (Options o : new Options[] {a, b}) {
                BlockBasedTableConfig table = (BlockBasedTableConfig) o.tableFormatConfig();
                assertThat(table.cacheIndexAndFilterBlocks()).as("index and filter blocks count against the cap").isTrue();
                assertThat(table.cacheIndexAndFilterBlocksWithHighPriority()).isTrue();
                assertThat(table.pinTopLevelIndexAndFilter()).isTrue();
            }
            setter.close("logs-buffer-store", a);
            setter.setConfig("orders-dedup", a, configs);
            assertThat(a.writeBufferManager()).as("still shared after a store closed").isSameAs(b.writeBufferManager());
        }
    }

    @Test
    void shouldRefuseToRunWithoutABudget() {
        try (Options o = withTable()) {
            assertThatThrownBy(() -> new BoundedRocksDbMemory().setConfig("s", o, Map.of()))
                    .hasMessageContaining(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG);
        }
    }

    @Test
    void shouldBeOffByDefaultAndRefuseNegativeBudgets() {
        assertThat(PipelineConfig.defaults().getLong(CoreKeys.ROCKSDB_MEMORY_MAX_BYTES_CONFIG)).isZero();
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(CoreKeys.ROCKSDB_MEMORY_MAX_BYTES_CONFIG, -1)))
                .hasMessageContaining(CoreKeys.ROCKSDB_MEMORY_MAX_BYTES_CONFIG);
    }

    private static Options withTable() {
        Options o = new Options();
        o.setTableFormatConfig(new BlockBasedTableConfig());
        return o;
    }
}
