package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chunks of ended orders: shared rows, exact deletion times, bounded work per call, nothing lost. */
class RetentionIndexTest {
    private KeyValueStore<Bytes, byte[]> store;
    private RetentionIndex index;
    /** orderId → deletion time, as the orders store would answer; judged ids are deleted when due. */
    private final Map<String, Long> orders = new HashMap<>();
    private final List<String> deleted = new ArrayList<>();

    @BeforeEach
    void setUp() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("r"), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        index = new RetentionIndex(store);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private void end(String orderId, long deletableAt) {
        orders.put(orderId, deletableAt);
        index.add(orderId, deletableAt);
    }

    private int due(long streamTime, int max) {
        return index.due(streamTime, max, id -> {
            Long at = orders.get(id);
            if (at == null) {
                return RetentionIndex.DONE;
            }
            if (at > streamTime) {
                return at;
            }
            orders.remove(id);
            deleted.add(id);
            return RetentionIndex.DONE;
        });
    }

    private List<KeyValue<Bytes, byte[]>> rows() {
        List<KeyValue<Bytes, byte[]>> rows = new ArrayList<>();
        try (var it = store.all()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    void shouldShareOneRowAmongOrdersEndingCloseTogetherAndStartAnotherPastTheSpan() {
        for (int i = 0; i < 10; i++) {
            end("o-" + i, 1_000 + i);
        }
        end("late", 1_000 + RetentionIndex.CHUNK_SPAN_MS);
        end("early", 999); // before the open chunk's key time: a chunk of its own

        assertThat(rows()).hasSize(3);
        assertThat(RetentionIndex.decode(rows().get(1).value)).as("keyed by the earliest time")
                .hasSize(10).startsWith("o-0");
        assertThat(TimerKeys.time(rows().get(0).key)).isEqualTo(999);
    }

    @Test
    void shouldCapAChunkInBytes() {
        String id = "x".repeat(100);
        for (int i = 0; i < 100; i++) {
            end(id + i, 5_000);
        }
        assertThat(rows()).hasSizeGreaterThan(1)
                .allSatisfy(r -> assertThat(r.value.length).isLessThanOrEqualTo(RetentionIndex.CHUNK_MAX_BYTES));
        assertThat(rows().stream().mapToInt(r -> RetentionIndex.decode(r.value).size()).sum()).isEqualTo(100);
    }

    @Test
    void shouldDeleteEachOrderOnlyOnceItsOwnTimeHasComeAndKeepTheRestUnderTheirEarliestTime() {
        end("a", 100);
        end("b", 300);
        end("c", 200);

        assertThat(due(99, 10)).as("the chunk's key time (100) not reached").isZero();
        assertThat(due(100, 10)).isEqualTo(3);
        assertThat(deleted).containsExactly("a");
        assertThat(rows()).singleElement().satisfies(r -> {
            assertThat(TimerKeys.time(r.key)).isEqualTo(200);
            assertThat(RetentionIndex.decode(r.value)).containsExactlyInAnyOrder("b", "c");
        });

        assertThat(due(250, 10)).isEqualTo(2);
        assertThat(deleted).containsExactly("a", "c");
        assertThat(due(300, 10)).isEqualTo(1);
        assertThat(deleted).containsExactly("a", "c", "b");
        assertThat(rows()).isEmpty();
    }

    @Test
    void shouldJudgeAtMostMaxIdsPerCallAndReachTheUnjudgedOnesBeforeTheKeptOnes() {
        for (int i = 0; i < 5; i++) {
            end("o-" + i, 10);
        }
        orders.put("o-0", 50L); // the retention was raised for o-0: kept, not deleted

        assertThat(due(20, 2)).isEqualTo(2);
        assertThat(deleted).containsExactly("o-1");
        assertThat(due(20, 2)).isEqualTo(2);
        assertThat(deleted).containsExactly("o-1", "o-2", "o-3");
        assertThat(due(20, 2)).as("o-4, then o-0 again").isEqualTo(2);
        assertThat(deleted).containsExactly("o-1", "o-2", "o-3", "o-4");
        assertThat(due(20, 2)).as("only o-0 is left, keyed at 50").isZero();

        assertThat(due(50, 2)).isEqualTo(1);
        assertThat(deleted).endsWith("o-0");
        assertThat(rows()).isEmpty();
    }

    @Test
    void shouldAppendToANewChunkAfterTheOpenOneWasJudgedSoNoIdIsLost() {
        end("a", 100);
        end("b", 150);
        orders.put("b", 160L);
        due(120, 10); // a deleted; b kept under 160, the open chunk rewritten
        end("c", 160);
        end("d", 170);

        assertThat(rows().stream().flatMap(r -> RetentionIndex.decode(r.value).stream()))
                .containsExactlyInAnyOrder("b", "c", "d");
        due(170, 10);
        assertThat(deleted).containsExactly("a", "b", "c", "d");
        assertThat(rows()).isEmpty();
    }

    @Test
    void shouldStillDeleteTheOrdersOfEntriesWrittenOnePerOrderBeforeChunks() {
        orders.put("old", 40L);
        store.put(TimerKeys.key(40, "old"), TimerKeys.MARK);
        end("new", 45);

        assertThat(due(45, 10)).isEqualTo(2);
        assertThat(deleted).containsExactly("old", "new");
        assertThat(rows()).isEmpty();
    }
}
