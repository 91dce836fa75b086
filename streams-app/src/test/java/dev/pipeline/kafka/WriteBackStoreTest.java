package dev.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The write-back map: nothing reaches the store before the pre-commit flush, except past its bound. */
class WriteBackStoreTest {
    private WriteBackStore<String, Long> store;
    private KeyValueStore<String, Long> inner;

    @BeforeEach
    void setUp() {
        KeyValueStore<String, Long> built = WriteBackStore.builder(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("s"), Serdes.String(), Serdes.Long()).withLoggingDisabled(), 3).build();
        store = WriteBackStore.unwrap(built);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        inner = store.wrapped();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void shouldReadItsOwnWritesAndWriteThemDownOnlyInTheCacheFlush() {
        store.put("a", 1L);
        store.put("a", 2L);
        assertThat(store.get("a")).isEqualTo(2L);
        assertThat(inner.get("a")).as("not before the commit").isNull();

        store.flushCache();
        assertThat(inner.get("a")).isEqualTo(2L);

        store.delete("a");
        assertThat(store.get("a")).isNull();
        assertThat(inner.get("a")).isEqualTo(2L);
        store.flushCache();
        assertThat(inner.get("a")).isNull();
    }

    @Test
    void shouldForgetAFreshKeyDeletedBeforeTheCommitAndKeepAnUpdatedOne() {
        store.insertNew("fresh", 1L);
        store.delete("fresh");
        store.insertNew("kept", 1L);
        store.put("kept", 5L);
        store.flushCache();

        assertThat(inner.get("fresh")).isNull();
        assertThat(inner.get("kept")).isEqualTo(5L);
        assertThat(inner.approximateNumEntries()).isEqualTo(1);
    }

    @Test
    void shouldWriteDownEarlyPastItsBoundAndBeforeARangeRead() {
        for (long i = 0; i < 4; i++) {
            store.put("k" + i, i);
        }
        assertThat(inner.approximateNumEntries()).as("4 dirty keys > bound 3").isEqualTo(4);

        store.put("k9", 9L);
        try (var it = store.all()) {
            assertThat(it).toIterable().hasSize(5);
        }
    }

    @Test
    void shouldServeRecentlyWrittenValuesItselfAndForgetThemWhenKafkaStreamsClearsTheCache() {
        for (long i = 0; i < 5; i++) {
            store.put("k" + i, i);
            store.flushCache();
        }
        // what a standby's restoration does under the map
        for (long i = 0; i < 5; i++) {
            inner.put("k" + i, 100 + i);
        }
        assertThat(store.get("k4")).as("clean value served from the map").isEqualTo(4L);
        assertThat(store.get("k0")).as("evicted past the bound of 3: read from the store").isEqualTo(100L);

        store.clearCache();
        assertThat(store.get("k4")).isEqualTo(104L);
    }

    @Test
    void shouldReplaceKafkaStreamsRecordCacheUnderneath() {
        KeyValueStore<String, Long> built = WriteBackStore.builder(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("c"), Serdes.String(), Serdes.Long()).withCachingEnabled(), 3).build();
        StateStore s = built;
        while (s instanceof WrappedStateStore<?, ?, ?> w) {
            assertThat(s.getClass().getSimpleName()).doesNotContain("Caching");
            s = w.wrapped();
        }
    }

    @Test
    void shouldDropUncommittedWritesWhenClosedOrClearedWithoutACommit() {
        store.put("lost", 1L);
        store.clearCache();
        store.flushCache();
        assertThat(inner.get("lost")).isNull();
    }
}
