package dev.pipeline.policy;

import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The accounting of record for one task of a pipeline, kept in a changelogged state store so it
 * is restored with the task's other state after a restart (and, under exactly-once, commits with
 * it). Counters restart at zero with the process; this does not.
 *
 * <p>Terms, in records of the pipeline's input topic:
 * <ul>
 *   <li>{@code in}: records that reached the pipeline's first processor and passed its input
 *       validation ({@link InputValidation}); count a record in only once nothing can reject it
 *       any more;</li>
 *   <li>{@code out}: records whose effect was emitted (logs: events summarised in emitted
 *       batches; orders: events applied, each emitting one result);</li>
 *   <li>{@code dlq}: records dropped and written to the dead-letter topic (by
 *       {@link DropRecorder#drop}, forwarded to {@link DeadLetters#SINK_NAME});</li>
 *   <li>{@code dropped}: records dropped and only counted (duplicates);</li>
 *   <li>{@code buffered}: records held in a buffer now (supplied by the pipeline, read from its
 *       buffer store, which is restored with this ledger after a restart).</li>
 * </ul>
 * Conservation: {@code in = out + dlq + dropped + buffered}, checked by {@link ConservationCheck}.
 *
 * <p>Outside the equation, because Kafka Streams' exception handlers cannot reach a task's
 * stores: records that fail to deserialize, records rejected by a {@link RecordRejectedException}
 * (or any other exception) thrown to the processing handler, and outputs that fail to be written
 * (already counted {@code out}). All of them are counted by reason in the metrics and written to
 * the dead-letter topic, so end to end: records on the input topic = {@code in} + those
 * dead-lettered by the handlers.
 */
public final class Ledger {
    public static final String IN = "in";
    public static final String OUT = "out";
    private static final String DROP_PREFIX = "drop.";

    private final KeyValueStore<String, Long> store;

    public Ledger(KeyValueStore<String, Long> store) {
        this.store = store;
    }

    /** Store name for a pipeline's ledger: {@code <pipeline>-ledger}. */
    public static String storeName(String pipeline) {
        return pipeline + "-ledger";
    }

    /** In-memory with caching (writes to the same term collapse until commit) and a changelog. */
    public static StoreBuilder<KeyValueStore<String, Long>> storeBuilder(String pipeline) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName(pipeline)),
                Serdes.String(), Serdes.Long()).withCachingEnabled().withLoggingEnabled(Map.of());
    }

    public void in(long n) {
        add(IN, n);
    }

    public void out(long n) {
        add(OUT, n);
    }

    public void dropped(DropReason reason, long n) {
        add(DROP_PREFIX + reason.label(), n);
    }

    public long get(String term) {
        Long v = store.get(term);
        return v == null ? 0L : v;
    }

    public Map<DropReason, Long> droppedByReason() {
        Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            long v = get(DROP_PREFIX + r.label());
            if (v != 0) {
                out.put(r, v);
            }
        }
        return out;
    }

    public Snapshot snapshot(long buffered) {
        long dlq = 0;
        long dropped = 0;
        for (Map.Entry<DropReason, Long> e : droppedByReason().entrySet()) {
            if (e.getKey().toDeadLetterTopic()) {
                dlq += e.getValue();
            } else {
                dropped += e.getValue();
            }
        }
        return new Snapshot(get(IN), get(OUT), dlq, dropped, buffered);
    }

    private void add(String term, long n) {
        if (n != 0) {
            store.put(term, get(term) + n);
        }
    }

    /** The terms at one moment, and whether they balance. */
    public record Snapshot(long in, long out, long dlq, long dropped, long buffered) {
        public long imbalance() {
            return in - (out + dlq + dropped + buffered);
        }

        public boolean holds() {
            return imbalance() == 0;
        }

        public Snapshot plus(Snapshot o) {
            return new Snapshot(in + o.in, out + o.out, dlq + o.dlq, dropped + o.dropped, buffered + o.buffered);
        }
    }
}
