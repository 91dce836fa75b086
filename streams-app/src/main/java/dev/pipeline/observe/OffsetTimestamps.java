package dev.pipeline.observe;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the timestamp of the oldest unconsumed record of a partition: the first data record at or
 * after a given offset, fetched with a group-less consumer (assign + seek, nothing committed).
 * Results are cached per partition until the offset moves, so a steady or stalled consumer costs
 * no fetch at all; a caught-up consumer costs none either (lag 0 is never looked up).
 *
 * <p>Robustness: a compacted gap or a transaction marker at the offset simply yields the next
 * data record (the consumer skips them), which is the oldest record still to be consumed. When
 * the fetch reaches the end offset without any data record (only markers left, e.g. the "lag 1"
 * an exactly-once producer's commit marker leaves), the partition has {@link Entry#noData()} and
 * counts as caught up. An offset below the log start (retention) resets to the earliest record.
 * Records without a timestamp, fetch timeouts and errors leave the partition unknown.
 */
final class OffsetTimestamps implements AutoCloseable {
    /** What is known at {@code from}: the record timestamp, or {@code null} for "no data up to {@code end}". */
    record Entry(long from, long end, Long timestampMs) {
        boolean noData() {
            return timestampMs == null;
        }

        boolean validFor(long offset, long endOffset) {
            return from == offset && (timestampMs != null || end == endOffset);
        }
    }

    /** The offset range [from, end) a lagging partition still has to consume. */
    record Range(long from, long end) {}

    private final Consumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Entry> cache = new HashMap<>();

    OffsetTimestamps(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    /**
     * Entries for the wanted partitions that are cached or could be fetched within the bound;
     * at most {@code maxFetches} partitions are fetched. The cache keeps only the wanted partitions.
     */
    Map<TopicPartition, Entry> lookup(Map<TopicPartition, Range> wanted, int maxFetches, Duration timeout) {
        cache.keySet().retainAll(wanted.keySet());
        Map<TopicPartition, Range> toFetch = new HashMap<>();
        wanted.forEach((tp, r) -> {
            Entry e = cache.get(tp);
            if ((e == null || !e.validFor(r.from(), r.end())) && toFetch.size() < maxFetches) {
                toFetch.put(tp, r);
            }
        });
        if (!toFetch.isEmpty()) {
            fetch(toFetch, timeout);
        }
        Map<TopicPartition, Entry> out = new HashMap<>();
        wanted.forEach((tp, r) -> {
            Entry e = cache.get(tp);
            if (e != null && e.validFor(r.from(), r.end())) {
                out.put(tp, e);
            }
        });
        return out;
    }

    private void fetch(Map<TopicPartition, Range> toFetch, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<TopicPartition> pending = new HashSet<>(toFetch.keySet());
        try {
            consumer.assign(List.copyOf(pending));
            toFetch.forEach((tp, r) -> consumer.seek(tp, r.from()));
            while (!pending.isEmpty()) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0) {
                    return;
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(Math.min(leftMs, 200)));
                Set<TopicPartition> done = new HashSet<>();
                for (TopicPartition tp : pending) {
                    Range r = toFetch.get(tp);
                    List<ConsumerRecord<byte[], byte[]>> got = records.records(tp);
                    if (!got.isEmpty()) {
                        long ts = got.get(0).timestamp();
                        if (ts >= 0) {
                            cache.put(tp, new Entry(r.from(), r.end(), ts));
                        }
                        done.add(tp);
                    } else if (consumer.position(tp, Duration.ofMillis(Math.max(1, leftMs))) >= r.end()) {
                        cache.put(tp, new Entry(r.from(), r.end(), null));
                        done.add(tp);
                    }
                }
                pending.removeAll(done);
                consumer.pause(done);
            }
        } catch (KafkaException e) {
            // timeouts, an unreachable broker, a deleted topic: these partitions stay unknown this time
        } finally {
            consumer.assign(List.of());
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
